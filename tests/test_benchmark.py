"""tools/analysis_tools/benchmark.py: figures a user can trust, or one line saying why not."""

import json
import os
import os.path as osp
import re

import pytest
import torch

from mobilenet_v2.deployment.runtime import int8_saturates

from .conftest import ROOT, run_tool

FCN = 'configs/toy/mobilenet-v2-d8_fcn_toy-cityscapes.py'
SSD = 'configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py'
QUICK = ('--runs', '3', '--warmup', '1')
FCN_SMALL = (FCN, '--shape', '64', '128')  # the quickest model and input of all
FCN_INT8 = (*FCN_SMALL, '--backend', 'onnxruntime', '--precision', 'int8')


def benchmark(*args, tmp_path, check=True, env=None):
    out = str(tmp_path / 'report.json')
    proc = run_tool(
        'tools/analysis_tools/benchmark.py', *args, *QUICK, '--json', out, check=check, env=env
    )
    return proc, (json.load(open(out)) if proc.returncode == 0 else None)


def test_both_scopes_on_synthetic_input_without_data(tmp_path):
    proc, report = benchmark(*FCN_SMALL, tmp_path=tmp_path)
    assert report['shape'] == [64, 128] and report['input'] == 'synthetic'
    for scope in ('forward', 'end_to_end'):
        entry = report['scopes'][scope]
        assert entry['runs'] == 3
        assert entry['min_ms'] <= entry['median_ms'] <= entry['p90_ms']
        assert abs(entry['fps'] - 1e3 / entry['median_ms']) < 1e-6
        assert entry['peak_rss_mib'] > 100
        assert f"{scope}: median {entry['median_ms']:.2f} ms" in proc.stdout
    env = report['environment']
    for key in ('torch', 'onnxruntime', 'openvino', 'mmsegmentation', 'threads', 'cpu', 'isa'):
        assert env[key], key


def test_onnxruntime_is_checked_against_eager_before_it_is_timed(tmp_path):
    (tmp_path / 'tmp').mkdir()
    proc, report = benchmark(
        SSD,
        '--shape',
        '160',
        '160',
        '--backend',
        'onnxruntime',
        '--compare-eager',
        tmp_path=tmp_path,
        env={'TMPDIR': str(tmp_path / 'tmp')},
    )
    assert (
        'forward: onnxruntime fp32 vs eager fp32 on synthetic images: max |difference|'
        in proc.stdout
    )
    assert re.search(
        r'forward: onnxruntime fp32 vs eager .* \(within its tolerance, 0.001\)\n', proc.stdout
    )
    for scope in ('forward', 'end_to_end'):
        entry = report['scopes'][scope]
        ratio = entry['eager_median_ms'] / entry['interleaved_with_eager_median_ms']
        assert entry['speedup_vs_eager'] == pytest.approx(ratio, rel=1e-12)
        assert f"{entry['speedup_vs_eager']:.2f}x" in proc.stdout
    # the exported graphs' folder is gone
    assert not [n for n in os.listdir(tmp_path / 'tmp') if n.startswith('mobilenet_v2_bench')]
    checked = report['scopes']['end_to_end']['difference_from_eager']
    # random weights had kept no box (NMS timed on nothing): the head is scaled so that
    # they keep max_per_img; with BN statistics measured, the boxes are held too
    assert 'post-processing runs at' in report['random_weights']
    ours, theirs = map(int, re.match(r'(\d+) vs (\d+) boxes scoring over', checked).groups())
    assert ours == theirs == 200, checked
    assert ', min IoU 1.000; network outputs: max |difference|' in checked
    assert report['scopes']['end_to_end']['fps'] > 0


def test_pt2e_int8_detector_is_checked_against_eager_before_it_is_timed(tmp_path, toy_coco):
    """--backend compile --precision int8: torchao PT2E, the network int8 inside the
    detector's fp32 pre- and post-processing (NMS), both scopes checked."""
    proc, report = benchmark(
        SSD,
        '--shape',
        '160',
        '160',
        '--backend',
        'compile',
        '--precision',
        'int8',
        '--calib-images',
        '4',
        '--cfg-options',
        f'train_dataloader.dataset.data_root={toy_coco}',
        tmp_path=tmp_path,
    )
    assert report['backend'] == 'compile' and report['precision'] == 'int8'
    assert (
        'forward: compile int8 vs eager fp32 on synthetic images: max |difference|' in proc.stdout
    )
    bits = dict(weights=8, activations=7 if int8_saturates() else 8)  # torchao's reduce_range
    assert report['int8'] == dict(calibration_images=4, calibration='synthetic', bits=bits)
    for scope in ('forward', 'end_to_end'):
        assert report['scopes'][scope]['fps'] > 0


def test_a_backend_beyond_tolerance_reports_no_speed(tmp_path):
    """ONNX Runtime rounds differently from PyTorch; with no tolerance at all it must not
    be timed."""
    proc, _ = benchmark(
        *FCN_SMALL,
        *('--backend', 'onnxruntime', '--tolerance', '0', '--scope', 'forward'),
        tmp_path=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert 'no speed reported' in proc.stderr and 'img/s' not in proc.stdout


def saved_weights(config, folder) -> str:
    """A checkpoint of ``config``'s model as built (mmengine's initialisation)."""
    from mobilenet_v2.apis import build_model, load_config

    torch.manual_seed(0)
    checkpoint = str(folder / 'weights.pth')
    torch.save(
        {'state_dict': build_model(load_config(osp.join(ROOT, config))).state_dict()}, checkpoint
    )
    return checkpoint


def test_compare_upstream_checks_outputs_and_reports_the_ratio(tmp_path):
    config = 'configs/fcn/mobilenet-v2-d8_fcn_4xb2-80k_cityscapes-512x1024.py'
    proc, report = benchmark(
        config, '--shape', '64', '128', '--compare-upstream', '--roofline', tmp_path=tmp_path
    )
    for scope in ('forward', 'end_to_end'):
        entry = report['scopes'][scope]
        assert entry['upstream_config'].endswith(
            osp.join('mmseg', '.mim', 'configs', 'mobilenet_v2', osp.basename(config))
        )
        ratio = entry['upstream_median_ms'] / entry['interleaved_with_upstream_median_ms']
        assert abs(entry['speedup_vs_upstream'] - ratio) < 1e-9
        low, high = entry['speedup_vs_upstream_rounds']
        assert 0 < low <= high and f'{low:.2f}-{high:.2f}x round by round' in proc.stdout
    roofline = report['roofline']
    assert roofline['madds'] > 0 and roofline['peak_gflops'] > 0
    assert (
        0
        < roofline['fraction_of_peak']
        == pytest.approx(roofline['achieved_gflops'] / roofline['peak_gflops'])
    )


@pytest.mark.parametrize('backend', ['pytorch', 'openvino'])
def test_bf16_runs_where_the_cpu_has_it_and_is_one_line_where_not(backend, tmp_path):
    """bf16 on a CPU: PyTorch autocast where oneDNN has AVX-512 BF16 or AMX, OpenVINO's
    inference precision where its CPU plugin has it; refused in one line elsewhere."""
    from mobilenet_v2.analysis.benchmark import cpu_autocast_supported
    from mobilenet_v2.deployment import openvino_precisions

    runs = (
        cpu_autocast_supported('bf16') if backend == 'pytorch' else 'bf16' in openvino_precisions()
    )
    proc, report = benchmark(
        *FCN_SMALL,
        '--backend',
        backend,
        '--precision',
        'bf16',
        '--scope',
        'forward',
        tmp_path=tmp_path,
        check=False,
    )
    if not runs:
        assert proc.returncode == 2 and '--precision bf16' in proc.stderr, proc.stderr[-1500:]
        assert len(proc.stderr.strip().splitlines()) == 1
        return
    assert proc.returncode == 0, proc.stderr[-1500:]
    checked = report['scopes']['forward']['difference_from_eager']
    difference = float(checked.split('max |difference| ')[1].split()[0])
    # computed in bf16 (8 bits of mantissa: far from fp32's 1e-7), within its tolerance
    assert 1e-4 < difference < 0.1, checked
    assert report['precision'] == 'bf16' and report['scopes']['forward']['fps'] > 0


def test_compare_upstream_without_an_upstream_model_is_refused_first(tmp_path):
    # int8 would first read calibration images from data/cityscapes (absent here), then
    # export: the missing upstream model must be the error, before either
    proc, _ = benchmark(
        *FCN_INT8,
        '--compare-upstream',
        '--cfg-options',
        'train_dataloader.dataset.data_root=no/such/folder',
        tmp_path=tmp_path,
        check=False,
    )
    assert proc.returncode == 2 and 'names no upstream_config' in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    'args, message',
    [
        (('--runs', '0'), '--runs must be at least 1, got 0'),
        (('--batch-size', '0'), '--batch-size must be at least 1, got 0'),
        (('--warmup', '-1'), '--warmup must be 0 or more'),
        (('--backend', 'tensorrt'), '--backend must be one of'),
        (('--compare-eager',), '--compare-eager times another --backend or --precision'),
        (
            ('--compare-upstream', '--cfg-options', 'upstream_config=foo'),
            "upstream_config 'foo': give '<package>::<path in its configs>'",
        ),
        (
            ('--compare-upstream', '--cfg-options', 'upstream_config=mmseg::no/such.py'),
            'no/such.py does not exist',
        ),
        (('--sweep', 'out', '--backend', 'onnxruntime'), 'choose some with --variants'),
        (('--variants', 'onnxruntime:int8'), '--variants and --name go with --sweep DIR'),
        (('--sweep', 'out', '--variants', 'onnxruntime'), 'give BACKEND:PRECISION'),
        (('--sweep', 'out', '--variants', 'onnxruntime:bf16'), 'no bf16 kernels'),
        (('--sweep', 'out', '--variants', 'onnxruntime:int4'), '--variants onnxruntime:int4: --'),
        (('--sweep', 'README.md'), '--sweep README.md is a file: give a folder'),
        (('--sweep', 'out', '--name', 'a/b'), "--name 'a/b': give a file name without folders"),
        (('--tolerance', 'nan'), '--tolerance must be 0 or more, got nan'),
        (('--precision', 'int8'), '--precision int8 runs on --backend onnxruntime'),
        (('--shape', '8', '8'), 'each side must be >= 32'),
        (
            ('--backend', 'onnxruntime', '--precision', 'bf16'),
            "ONNX Runtime's CPU provider has no bf16 kernels; use --backend openvino",
        ),
        (('--tolerance', '-1'), '--tolerance must be 0 or more'),
        (('--roofline', '--scope', 'end_to_end'), '--roofline rates the forward scope'),
        (('--json', '/nonexistent/r.json'), 'its folder does not exist'),
        (
            (
                '--backend',
                'onnxruntime',
                '--precision',
                'int8',
                '--images',  # random weights on real images: calibrated on real ones
                '--cfg-options',
                'train_dataloader.dataset.data_root=/nonexistent',
                'test_dataloader.dataset.data_root=/nonexistent',
            ),
            'dataset cannot be read',
        ),
    ],
)
def test_argument_errors_are_one_line_never_a_measured_zero(args, message, tmp_path):
    shape = () if '--shape' in args else ('--shape', '64', '64')
    # a user's process for those that get furthest: the stack's import warns nothing either
    fresh = bool({'--runs', '--compare-upstream', '--images'} & set(args))
    tool = 'tools/analysis_tools/benchmark.py'
    proc = run_tool(tool, FCN, *shape, *args, check=False, fresh=fresh)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert 'img/s' not in proc.stdout
    assert not osp.exists(osp.join(ROOT, 'report.json'))


@pytest.mark.parametrize(
    'backend, library',
    [
        ('pytorch', ('torch.mm', 'oneDNN 1x1 conv')),
        ('onnxruntime', ('ONNX Runtime MatMul',)),
        ('openvino', ('OpenVINO MatMul',)),
    ],
)
def test_gemm_peak_goes_through_the_backends_own_library(backend, library):
    """The roofline's peak: a 2048^3 fp32 product in the library that runs the model,
    at a rate no 2-core x86 machine of this kind can miss by 100x or beat by 100x."""
    from mobilenet_v2.analysis.roofline import gemm_peak

    peak = gemm_peak(backend)
    assert peak['gemm'] in library
    assert 5 < peak['peak_gflops'] < 20000, peak


def test_bf16_is_refused_on_avx512_without_its_instructions(monkeypatch):
    """oneDNN's own check (_is_mkldnn_bf16_supported) is true on any AVX-512 CPU, where
    bf16 is emulated at twice fp32's time; the BF16/AMX instructions decide."""
    from mobilenet_v2.analysis import benchmark as bench
    from mobilenet_v2.apis import ConfigError

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported', lambda: True)
    monkeypatch.setattr(torch.cpu, '_is_avx512_bf16_supported', lambda: False)
    monkeypatch.setattr(torch.cpu, '_is_amx_tile_supported', lambda: False)
    with pytest.raises(ConfigError, match='needs a CUDA device or a CPU with AVX-512 BF16 or AMX'):
        bench.check_backend('pytorch', 'bf16')
    monkeypatch.setattr(torch.cpu, '_is_avx512_bf16_supported', lambda: True)
    bench.check_backend('compile', 'bf16')


def test_sweep_runs_each_variant_alone_and_plots_those_with_a_speed(tmp_path, toy_cityscapes):
    """--sweep DIR: one process per variant, DIR/NAME-BACKEND-PRECISION.json each and
    DIR/NAME.png; a variant refused a speed (int8 beside a tolerance of 1e-3) is named
    at the end, the others' reports and the plot stay."""
    out = tmp_path / 'sweep'
    checkpoint = saved_weights(FCN, tmp_path)  # int8 is held to a tolerance with weights
    sweep = (
        'tools/analysis_tools/benchmark.py',
        FCN,
        checkpoint,
        *FCN_SMALL[1:],
        '--sweep',
        str(out),
    )
    proc = run_tool(
        *sweep,
        '--variants',
        'pytorch:fp32',
        'onnxruntime:fp32',
        'onnxruntime:int8',
        '--name',
        'fcn',
        '--compare-eager',
        '--tolerance',
        '1e-3',
        '--calib-images',
        '4',
        '--scope',  # one graph per variant: exports take most of the sweep's time
        'forward',
        *QUICK,
        '--cfg-options',
        f'train_dataloader.dataset.data_root={toy_cityscapes}',
        'model.pretrained=unused.pth',  # a warning in every process (the checkpoint wins)
        check=False,
    )
    assert '== [2/3] onnxruntime fp32' in proc.stdout
    # each variant's warnings reach the console, the sweep's own too
    assert proc.stderr.count('warning: model.pretrained is deprecated') == 4, proc.stderr
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --sweep: onnxruntime int8 gave no speed (reasons above); 2 of 3 reports '
        f'and the plot are in {out}'
    )
    assert 'onnxruntime int8 gave no speed: error: forward: onnxruntime int8 differs' in proc.stdout
    assert sorted(os.listdir(out)) == [
        'fcn-onnxruntime-fp32.json',
        'fcn-pytorch-fp32.json',
        'fcn.png',
    ]
    eager = json.load(open(out / 'fcn-pytorch-fp32.json'))
    ort = json.load(open(out / 'fcn-onnxruntime-fp32.json'))
    assert (eager['backend'], ort['backend']) == ('pytorch', 'onnxruntime')
    # eager fp32 is not compared with itself; the other variant is, interleaved
    assert 'speedup_vs_eager' not in eager['scopes']['forward']
    assert ort['scopes']['forward']['speedup_vs_eager'] > 0
    again = run_tool(*sweep, '--variants', 'pytorch:fp32', '--name', 'fcn', check=False)
    assert again.returncode == 2 and 'fcn-pytorch-fp32.json exists' in again.stderr


def test_end_to_end_with_a_checkpoint_is_also_held_to_the_scores(tmp_path):
    """The decisions (top-1, labels, boxes at IoU >= 0.5) pass a network that is a little
    off everywhere: with trained weights end to end is gated on both the decisions and
    the scores they are taken from, and the JSON says by how much and against what."""
    checkpoint = saved_weights('configs/toy/mobilenet-v2_toy-imagenet.py', tmp_path)
    proc, report = benchmark(
        'configs/toy/mobilenet-v2_toy-imagenet.py',
        checkpoint,
        '--shape',
        '64',
        '64',
        '--backend',
        'onnxruntime',
        '--scope',
        'end_to_end',
        tmp_path=tmp_path,
    )
    entry = report['scopes']['end_to_end']
    assert (
        '1 of 1 images the same top-1 class; softmax scores: max |difference|'
        in entry['difference_from_eager']
    )
    assert 0 <= entry['difference_measure'] < entry['tolerance'] == 1e-3


def test_a_detector_without_an_ssd_head_is_refused_in_one_line(tmp_path):
    """Break-it, session 6: a RetinaNet config crashed in the random-weight detector
    load (a traceback) before the export's own refusal."""
    import mmdet

    config = osp.join(
        osp.dirname(mmdet.__file__), '.mim/configs/retinanet/retinanet_r18_fpn_1x_coco.py'
    )
    proc = run_tool(
        'tools/analysis_tools/benchmark.py', config, '--shape', '64', '64', '--backend',
        'onnxruntime', '--runs', '1', check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert 'softmax heads (SSD/SSDLite) only' in proc.stderr and 'Traceback' not in proc.stderr
