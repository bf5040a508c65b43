"""The benchmark's checks and timing arithmetic, without running a model: the gate that
decides whether a backend's outputs may be timed (``difference``), interleaved timing
and its ratios, the sweep's command lines and variants, what a Candidate builds."""

import sys

import pytest
import torch


def test_a_sweep_variant_gets_the_command_line_less_the_sweeps_own_options():
    from mobilenet_v2.analysis.sweep import variant_command

    argv = ['cfg.py', '--shape', '64', '64', '--sweep', 'out', '--variants', 'pytorch:fp32']
    argv += ['onnxruntime:fp32', '--name=n', '--compare-eager', '--cfg-options', 'a=1', 'b=2']
    tail = ['--json', 'x.json']
    common = ['cfg.py', '--shape', '64', '64']
    options = ['--cfg-options', 'a=1', 'b=2']
    assert variant_command('bench.py', argv, 'onnxruntime', 'fp32', 'x.json') == [
        sys.executable, 'bench.py', *common, '--compare-eager', *options,
        '--backend', 'onnxruntime', '--precision', 'fp32', *tail,
    ]  # fmt: skip
    # eager fp32 is not compared with itself
    assert variant_command('bench.py', argv, 'pytorch', 'fp32', 'x.json') == [
        sys.executable, 'bench.py', *common, *options,
        '--backend', 'pytorch', '--precision', 'fp32', *tail,
    ]  # fmt: skip
    # options go before a '--' that ends them (break-it: the child took them for files)
    ends = variant_command('b.py', ['--sweep', 'o', '--', 'c.py'], 'pytorch', 'fp32', 'j')
    assert ends[2:] == ['--backend', 'pytorch', '--precision', 'fp32', '--json', 'j', '--', 'c.py']
    assert variant_command('b.py', ['c.py', '--sweep=out', '--runs', '3'], 'openvino', 'int8', 'j')[
        2:5
    ] == ['c.py', '--runs', '3']


def test_reduced_precision_is_gated_on_rms_error_not_one_outlier():
    """A trained SSDLite's int8 graph on real images: RMS error 0.055, but one of its
    thousands of anchor scores off by 0.15 of the largest: int8 is refused no speed for
    a model that keeps its box AP. fp32 (the same function) stays gated on the max."""
    from mobilenet_v2.analysis.benchmark import TOLERANCE, difference

    ref = torch.linspace(-1, 1, 10000)
    out = ref + 0.01 * torch.sin(torch.arange(10000.0))  # rounding everywhere
    out[1234] += 0.2  # and one outlier
    measure, text = difference('mmdet', 'forward', ref, out, 'int8')
    assert 'max |difference| 0.2' in text and 0.01 < measure < 0.02, text
    assert measure < TOLERANCE['int8']
    measure, _ = difference('mmdet', 'forward', ref, out, 'fp32')
    assert measure > 0.2 > TOLERANCE['fp32']
    assert difference('mmdet', 'forward', ref, ref * 1.2, 'int8')[0] > TOLERANCE['int8']


def _boxes(*rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_reduced_precision_detections_count_boxes_that_move_not_the_worst_iou():
    """bf16 moved one of a trained SSDLite's 11 boxes to IoU 0.58 (still the same
    object) and was refused; a box lost or moved off its object still counts."""
    from mobilenet_v2.analysis.benchmark import TOLERANCE, difference

    boxes = _boxes([0, 0, 10, 10], [20, 20, 40, 40], [50, 50, 60, 60], [0, 50, 10, 60])
    scores, labels = torch.tensor([0.9, 0.8, 0.7, 0.1]), torch.tensor([0, 1, 2, 3])
    ref = [(boxes, scores, labels)]
    moved = boxes.clone()
    moved[1] = torch.tensor([20, 20, 40, 34])  # IoU 0.7: the same object
    measure, text = difference('mmdet', 'end_to_end', ref, [(moved, scores, labels)], 'bf16')
    assert measure == 0 and '0 of 8 boxes without a partner' in text, text
    assert '4 at IoU >= 0.5, min IoU 0.700' in text, text
    assert difference('mmdet', 'end_to_end', ref, [(moved, scores, labels)])[0] > 0.2
    off = boxes.clone()
    off[1] = torch.tensor([20, 20, 40, 26])  # IoU 0.3: another box
    measure, _ = difference('mmdet', 'end_to_end', ref, [(off, scores, labels)], 'bf16')
    assert measure == pytest.approx(2 / 8) and measure > TOLERANCE['bf16']
    lost = (boxes[[0, 2, 3]], scores[[0, 2, 3]], labels[[0, 2, 3]])
    assert difference('mmdet', 'end_to_end', ref, [lost], 'int8')[0] == pytest.approx(1 / 7)
    # the share is of the whole batch: one box lost beside an image that agrees
    batch = difference('mmdet', 'end_to_end', ref * 2, [lost, ref[0]], 'int8')[0]
    assert batch == pytest.approx(1 / 15)


def test_interleaved_timing_alternates_blocks_each_led_by_an_untimed_call():
    from mobilenet_v2.analysis.timing import time_interleaved

    calls = []
    timed = time_interleaved(
        dict(a=lambda: calls.append('a'), b=lambda: calls.append('b')),
        batch_size=2,
        warmup=1,
        runs=6,
        rounds=4,
    )
    # warm-up a b, then per round: a's untimed call and its share of the 6 runs, then b's
    assert ''.join(calls) == 'ab' + 'aaa' + 'bbb' + 'aaa' + 'bbb' + 'aa' + 'bb' + 'aa' + 'bb'
    assert timed['a']['runs'] == timed['b']['runs'] == 6 and timed['a']['batch_size'] == 2
    assert len(timed['a']['round_median_ms']) == 4


def test_speedup_gives_the_ratio_of_medians_and_its_spread_round_by_round():
    from mobilenet_v2.analysis.timing import speedup

    timed = dict(
        ours=dict(median_ms=10.0, round_median_ms=[10.0, 10.0, 20.0]),
        theirs=dict(median_ms=40.0, round_median_ms=[40.0, 30.0, 60.0]),
    )
    assert speedup(timed, 'theirs') == dict(ratio=4.0, round_min=3.0, round_max=4.0)


def test_a_ratio_that_moved_between_rounds_marks_the_run_unsteady():
    from mobilenet_v2.analysis.timing import unsteady

    assert not unsteady({'speedup_vs_eager_rounds': [2.0, 2.9]})
    assert unsteady({'speedup_vs_eager_rounds': [2.0, 3.1]})  # a new user saw 216-680x
    assert unsteady({'speedup_vs_eager_rounds': [2.0, 2.1], 'speedup_vs_upstream_rounds': [1, 2]})
    assert not unsteady({'median_ms': 3.0})


def test_a_variant_this_machine_cannot_run_says_why(monkeypatch):
    import importlib.util

    from mobilenet_v2.analysis import benchmark as bench

    assert bench.runnable('pytorch', 'fp32') is None
    assert 'no bf16 kernels' in bench.runnable('onnxruntime', 'bf16')
    assert 'int8 runs on --backend' in bench.runnable('channels_last', 'int8')
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    assert bench.runnable('openvino', 'fp32').startswith('openvino is not installed')
    assert bench.runnable('compile', 'int8').startswith('torchao is not installed')


def test_outputs_that_cannot_be_compared_never_pass():
    """Break-it: NaN compared as 0 (Python's max drops it), and outputs of another batch
    size, count or image count broadcast or were cut short by zip."""
    from mobilenet_v2.analysis.benchmark import difference

    ref = [torch.randn(4, 10)]
    nan = [torch.full_like(ref[0], float('nan'))]
    for precision in ('fp32', 'int8'):
        assert difference('mmpretrain', 'forward', ref, nan, precision)[0] == float('inf')
        assert difference('mmpretrain', 'forward', ref, [ref[0][:1]], precision)[0] == float('inf')
        assert difference('mmpretrain', 'forward', ref * 2, ref, precision)[0] == float('inf')
    labels = [torch.zeros(8, 8, dtype=torch.long)] * 2
    assert difference('mmseg', 'end_to_end', labels, labels[:1])[0] == float('inf')
    assert difference('mmpretrain', 'end_to_end', ref, [ref[0][:1]])[0] == float('inf')
    boxes = (torch.tensor([[0.0, 0, 10, float('inf')]]), torch.ones(1), torch.zeros(1).long())
    finite = (torch.tensor([[0.0, 0, 10, 10]]), torch.ones(1), torch.zeros(1).long())
    assert difference('mmdet', 'end_to_end', [finite], [boxes], 'int8')[0] == float('inf')
    nan_top1 = torch.tensor([[0.1, float('nan')]])
    assert difference('mmpretrain', 'end_to_end', [torch.tensor([[0.1, 0.9]])], [nan_top1])[
        0
    ] == float('inf')
    empty = (torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.long))
    assert difference('mmdet', 'end_to_end', [empty] * 2, [empty])[0] == float('inf')


def test_every_box_is_compared_unless_the_image_hit_max_per_img():
    """Break-it: the score cut for ties at the max-per-image cut was applied to every
    image, so an image's lowest box, and a one-box image entirely, went unchecked."""
    from mobilenet_v2.analysis.benchmark import difference

    one = [(_boxes([10, 10, 50, 50]), torch.tensor([0.9]), torch.tensor([0]))]
    lost = [(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.long))]
    assert difference('mmdet', 'end_to_end', one, lost, 'int8', max_per_img=100)[0] == 1
    assert difference('mmdet', 'end_to_end', one, lost, 'fp32', max_per_img=100)[0] >= 1
    # two kept of at most two, tied at the cut: the tie is left out, the rest compared
    boxes = _boxes([0, 0, 10, 10], [20, 20, 40, 40], [50, 50, 60, 60])
    ref = [(boxes[:2], torch.tensor([0.9, 0.3]), torch.tensor([0, 1]))]
    tie = [(boxes[[0, 2]], torch.tensor([0.9, 0.3]), torch.tensor([0, 1]))]
    measure, text = difference('mmdet', 'end_to_end', ref, tie, 'fp32', max_per_img=2)
    assert measure == 0 and 'scoring over 0.301' in text, text


def test_a_systematic_scale_is_refused_however_small_its_rms_error():
    """Break-it: int8 outputs scaled by 1.1 have an RMS error of 0.1, under int8's 0.15:
    rounding scatters around the reference, a wrong model shifts it."""
    from mobilenet_v2.analysis.benchmark import TOLERANCE, difference

    ref = torch.linspace(-1, 1, 10000)
    noisy = ref + 0.1 * torch.sin(torch.arange(10000.0) * 12.9898)  # RMS error ~0.12
    measure, text = difference('mmdet', 'forward', ref, noisy, 'int8')
    assert measure < TOLERANCE['int8'] and 'scale off by' in text, text
    for factor in (1.1, 0.9):
        measure, text = difference('mmdet', 'forward', ref, ref * factor, 'int8')
        assert measure > TOLERANCE['int8'], text


class Outputs:
    """A Candidate's end-to-end interface over fixed segmentation outputs: ``logits``
    (1, C, H, W) at the input size, labels their argmax unless given."""

    scope, shape, max_per_img = 'mmseg', (8, 8), None

    def __init__(self, logits, labels=None):
        self.logits = logits
        self.labels = logits.argmax(1)[0] if labels is None else labels

    def end_to_end(self, images):
        return [self.labels]

    def scores(self, batch):
        return self.logits


IMAGES = [__import__('numpy').zeros((8, 8, 3), 'uint8')]


def test_a_wrong_post_processing_is_refused_by_the_scores_it_decides_from():
    """Break-it, session 5: end to end was held to the network's outputs only, so a
    graph whose post-processing was wrong (here its resize puts the logits upside
    down) still had a speed reported."""
    from mobilenet_v2.analysis.benchmark import TOLERANCE, check_end_to_end

    logits = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    eager = Outputs(logits)
    broken = Outputs(logits.flip(2), labels=eager.labels)  # even with the right labels
    measure, text = check_end_to_end(eager, broken, IMAGES, 'fp32')
    assert measure > 0.5 and measure > TOLERANCE['fp32']
    assert '100.00% same pixel labels; logits at the input size' in text


def test_decisions_are_held_when_the_scores_agree():
    from mobilenet_v2.analysis.benchmark import check_end_to_end

    logits = torch.full((1, 2, 8, 8), 0.5)
    eager = Outputs(logits, labels=torch.zeros(8, 8, dtype=torch.long))
    flipped = Outputs(logits, labels=torch.ones(8, 8, dtype=torch.long))
    measure, text = check_end_to_end(eager, flipped, IMAGES, 'fp32')
    assert measure == 1.0 and '0.00% same pixel labels' in text


def test_results_that_never_pass_are_refused_even_when_not_held():
    """Break-it, session 7: random weights' reduced precision (not held to a tolerance)
    reported a speed for NaN outputs or results of another shape."""
    from mobilenet_v2.analysis.benchmark import difference, refuses

    ref = torch.ones(2, 3)
    for out in (ref * float('nan'), torch.ones(2, 4)):
        measure, _ = difference('mmpretrain', 'end_to_end', [ref], [out], 'int8')
        assert refuses(measure, 0.15, held=False) and refuses(measure, 0.15, held=True)
    assert not refuses(0.9, 0.15, held=False) and refuses(0.9, 0.15, held=True)


@pytest.mark.parametrize(
    'config, scopes, exported',
    [
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', ('forward',), ['forward']),
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', ('end_to_end',), ['end_to_end']),
        # a detector's end to end is held to its network outputs: forward's graph
        ('ssdlite-paper_mobilenetv2_toy-coco.py', ('end_to_end',), ['forward', 'end_to_end']),
    ],
)
def test_a_graph_backend_exports_the_scopes_it_is_asked_for_only(
    config, scopes, exported, monkeypatch, tmp_path
):
    """--scope forward exported and quantized the end-to-end graph too (each export
    takes 10-45 s on 2 cores); a batch of 1 is exported for it, which halves the time
    (a symbolic batch for other sizes)."""
    import os.path as osp

    import mobilenet_v2.analysis.benchmark as bench
    from mobilenet_v2.apis import build_model, load_config

    from .conftest import ROOT

    paths = []

    def export(cfg, model, path, shape, dynamic_batch, **options):
        paths.append((path, dynamic_batch))

    monkeypatch.setattr(bench, 'export_onnx', export)
    monkeypatch.setattr(bench, 'OrtModel', lambda path, *a, **k: path)
    cfg = load_config(osp.join(ROOT, 'configs', 'toy', config))
    model = build_model(cfg)
    for batch_size in (1, 8):
        paths.clear()
        candidate = bench.Candidate(
            *(cfg, model, 'onnxruntime', 'fp32', (64, 64)),
            **dict(work_dir=str(tmp_path), scopes=scopes, batch_size=batch_size),
        )
        assert paths == [(str(tmp_path / f'{s}.onnx'), batch_size != 1) for s in exported]
        assert sorted(candidate.runners) == sorted(exported)
