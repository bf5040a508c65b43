"""What tools/analysis_tools/benchmark.py measures: one model on one backend, in two
scopes, its outputs checked against eager PyTorch before any speed is reported.

Scopes (the DeployModel of mobilenet_v2/deployment/export.py in both):
  * ``forward``: a prepared (N, 3, H, W) float batch through normalisation and the
    network, raw outputs (no resizing, decoding or NMS);
  * ``end_to_end``: decoded images (H0, W0, 3) uint8 RGB of any size to final results
    at their own size: resize to --shape, normalisation, network, post-processing
    (segmentation: logits resized and argmax, labels back to the image size;
    detection: box decoding, NMS, boxes scaled back; classification: softmax), as a
    user's images per second.

Backends: ``pytorch`` (eager), ``channels_last``, ``compile`` (torch.compile, inductor
with frozen weights; ``int8``: torchao's PT2E X86InductorQuantizer), ``onnxruntime``
and ``openvino`` (the exported graph; ``int8``: ORT's static QDQ graph, which OpenVINO
runs with its own int8 kernels). int8 is calibrated on the config's training images
(random weights timed on synthetic input: on synthetic images, ``calibration_for``).
``fp16``/``bf16``: PyTorch autocast on CUDA, or on a CPU with the instructions
(oneDNN: AVX-512 BF16 / AVX-512 FP16 or AMX); OpenVINO's inference precision where its
CPU plugin has it; ONNX Runtime's CPU provider has no such kernels.
"""

import atexit
import copy
import importlib.util
import math
import os.path as osp
import shutil
import tempfile
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
import torch.nn.functional as F

from ..apis.config import ConfigError, build_split_dataset
from ..arguments import SCOPES, check_combination
from ..deployment import DeployModel, OpenVinoModel, OrtModel, export_onnx, openvino_precisions
from ..deployment.check import flat_tensors, match_detections, rms_error
from ..deployment.pt2e import CompiledForInference, activation_bits, quantize_pt2e
from ..deployment.quantize import calibration_images, quantize_onnx
from ..deployment.runtime import weight_bits

GRAPH_BACKENDS = ('onnxruntime', 'openvino')  # run the exported ONNX graph
# largest accepted difference from eager fp32 (``difference``). fp32 computes the same
# function: forward max |difference| over the largest reference value; end to end the
# share of differing labels, detections box to box (1 - min IoU + unmatched boxes).
# Reduced precision rounds every value: forward the RMS error over the reference's RMS
# (0.15: a signal-to-quantization-noise ratio of 16.5 dB; measured on the trained toy
# models: int8 0.011-0.11, bf16 0.003-0.022), end to end the share of differing
# decisions (labels; boxes without a partner at IoU >= 0.5)
TOLERANCE = dict(fp32=1e-3, int8=0.15, fp16=0.05, bf16=0.05)
# a systematic scale may take a third of it (int8: 5%; measured on the trained toy
# models: int8 0.4-1.7%, bf16 0.08%)
SCALE_SHARE = 1 / 3


def refuses(measure: float, tolerance: float, held: bool) -> bool:
    """Whether a check's ``measure`` (``difference``) withholds a speed: results that
    never pass (infinite: other shapes or counts, NaN or infinite values) always, and
    beyond ``tolerance`` when ``held`` (not for reduced precision of random weights)."""
    return not math.isfinite(measure) or (held and not measure <= tolerance)


TIMED_SEED, PREPARATION_SEED = 0, 1  # timed and checked images; BN statistics and int8's


def synthetic_images(n: int, shape: Tuple[int, int], seed: int = TIMED_SEED) -> List[np.ndarray]:
    """``n`` (H, W, 3) uint8 RGB images of uniform noise, ``shape`` (H, W), by ``seed``."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (*shape, 3), dtype=np.uint8) for _ in range(n)]


def dataset_images(cfg, n: int) -> List[np.ndarray]:
    """The first ``n`` images of the config's test set, decoded as RGB at their own size.
    Raises ConfigError when the set is missing or holds fewer."""
    dataset = build_split_dataset(cfg, 'test')
    if len(dataset) < n:
        raise ConfigError(
            f'--images: the test set holds {len(dataset)} images, fewer than --batch-size {n}'
        )
    return [
        mmcv.imread(dataset.get_data_info(i)['img_path'], channel_order='rgb') for i in range(n)
    ]


def to_batch(images: Sequence[np.ndarray], shape: Tuple[int, int]) -> torch.Tensor:
    """Resize (bilinear) to ``shape`` and stack as a (N, 3, H, W) float32 tensor."""
    resized = [mmcv.imresize(image, (shape[1], shape[0])) for image in images]
    return torch.from_numpy(np.stack(resized).transpose(0, 3, 1, 2).astype(np.float32))


def check_backend(backend: str, precision: str):
    """ConfigError for a backend or precision this machine or tool cannot run."""
    check_combination(backend, precision)
    if precision in ('fp32', 'int8'):
        return
    if backend == 'openvino':
        if precision not in openvino_precisions():
            raise ConfigError(
                f"--precision {precision}: OpenVINO's CPU plugin runs "
                f'{", ".join(openvino_precisions()) or "nothing (pip install openvino)"} here'
            )
    elif not (torch.cuda.is_available() or cpu_autocast_supported(precision)):
        raise ConfigError(
            f'--precision {precision} needs a CUDA device or a CPU with '
            f'{CPU_INSTRUCTIONS[precision]}; this machine has neither'
        )


def runnable(backend: str, precision: str) -> Optional[str]:
    """None where this machine runs ``backend`` at ``precision``, else why not (one
    line): ``check_backend``'s refusal, or the package that is not installed."""
    try:
        check_backend(backend, precision)
    except ConfigError as err:
        return str(err)
    graph = backend if backend in GRAPH_BACKENDS else None  # the runtime's package name
    package = 'torchao' if (backend, precision) == ('compile', 'int8') else graph
    if package and importlib.util.find_spec(package) is None:
        return f'{package} is not installed (pip install -r requirements/optional.txt)'
    return None


CPU_INSTRUCTIONS = dict(bf16='AVX-512 BF16 or AMX', fp16='AVX-512 FP16 or AMX-FP16')


def cpu_autocast_supported(precision: str) -> bool:
    """Whether this CPU has the ``precision`` instructions oneDNN needs to be faster than
    fp32 (without them it emulates them, slower: 47 ms against 21 fp32 on plain
    AVX-512). ``torch.ops.mkldnn._is_mkldnn_bf16_supported()`` is not that test: it is
    true on any AVX-512 CPU."""
    if precision == 'bf16':
        return torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    return torch.cpu._is_amx_fp16_supported()


class Candidate:
    """One backend and precision: ``forward(batch)``, ``end_to_end(images)`` of ``scopes``.
    Graphs of ``batch_size`` 1 are exported for it (half the time a symbolic batch takes
    the exporter), others for any batch.

    ``spinning=False`` stops ONNX Runtime's threads from busy-waiting between runs
    (they would slow a PyTorch model timed in between, as --compare-upstream does)."""

    def __init__(
        self,
        cfg,
        model,
        backend,
        precision,
        shape,
        calib_images=None,
        work_dir=None,
        threads=None,
        spinning=True,
        scopes=SCOPES,
        batch_size=None,
    ):
        check_backend(backend, precision)
        self.scope, self.shape = cfg.default_scope, tuple(shape)
        scopes = ('forward', *scopes) if self.scope == 'mmdet' else scopes  # ``scores``
        self.max_per_img = (cfg.model.get('test_cfg') or {}).get('max_per_img')
        if backend == 'channels_last':  # converts weights in place: leave eager's alone
            model = copy.deepcopy(model)
        nets = {
            scope: DeployModel(
                model, self.scope, shape, 'logits_nhwc', postprocess=scope == 'end_to_end'
            )
            for scope in SCOPES
            if scope in scopes
        }
        self.runners: Dict[str, Callable] = {}
        self.int8_bits: Optional[Dict[str, int]] = None  # 7 where ``int8_saturates()``
        for scope, net in nets.items():
            if backend in GRAPH_BACKENDS:
                path = osp.join(work_dir, f'{scope}.onnx')
                export_onnx(
                    cfg,
                    model,
                    path,
                    shape,
                    dynamic_batch=batch_size != 1,
                    seg_output='logits_nhwc',
                    postprocess=scope == 'end_to_end',
                )
                if precision == 'int8':
                    path = quantize_onnx(path, path[:-5] + '.int8.onnx', calib_images)
                    self.int8_bits = dict(weights=weight_bits(path), activations=8)
                if backend == 'onnxruntime':
                    self.runners[scope] = OrtModel(path, threads, spinning=spinning)
                else:
                    compute = 'fp32' if precision == 'int8' else precision
                    self.runners[scope] = OpenVinoModel(path, threads, compute)
                continue
            if backend == 'channels_last':
                net = net.to(memory_format=torch.channels_last)
            if backend == 'compile' and precision == 'int8':
                net = quantize_pt2e(net, calib_images)
                self.int8_bits = dict(weights=8, activations=activation_bits(net))
            elif backend == 'compile':
                net = CompiledForInference(net)
            self.runners[scope] = _eager(net, backend, precision)

    def forward(self, batch: torch.Tensor):
        return self.runners['forward'](batch)

    def end_to_end(self, images: Sequence[np.ndarray]):
        """Final results for each image at its own size."""
        outputs = self.runners['end_to_end'](to_batch(images, self.shape))
        return postprocess_to_originals(self.scope, outputs, images, self.shape)

    def scores(self, batch: torch.Tensor):
        """What end to end decides on: the softmax scores (classification), the logits
        resized to the input (segmentation); the network's outputs (detection, whose
        graph gives decisions only)."""
        if self.scope == 'mmdet':
            return self.forward(batch)
        return self.runners['end_to_end'](batch)


def _eager(net, backend, precision):
    dtype = dict(fp16=torch.float16, bf16=torch.bfloat16).get(precision)
    # autocast on the GPU, else on a CPU with the instructions (check_backend refused
    # a machine with neither)
    device = 'cuda' if dtype is not None and torch.cuda.is_available() else 'cpu'
    if device == 'cuda':
        net = copy.deepcopy(net).cuda()

    @torch.no_grad()
    def run(x):
        if backend == 'channels_last':
            x = x.contiguous(memory_format=torch.channels_last)
        if dtype is None:
            return net(x)
        with torch.autocast(device, dtype=dtype):
            return net(x.to(device))

    return run


def postprocess_to_originals(scope, outputs, images, shape):
    """Per image: segmentation labels resized (nearest) to the image, detection boxes
    scaled to it; classification scores as they are."""
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    if scope == 'mmpretrain':
        return [outputs[0]]
    if scope == 'mmseg':  # logits channels last (N, H, W, C)
        labels = outputs[0].argmax(-1, keepdim=True).float()
        return [
            F.interpolate(labels[i : i + 1, None, :, :, 0], size=image.shape[:2])[0, 0].long()
            for i, image in enumerate(images)
        ]
    boxes, scores, labels, batch_index = outputs
    results = []
    for i, image in enumerate(images):
        keep = batch_index == i
        scale = torch.tensor([image.shape[1] / shape[1], image.shape[0] / shape[0]] * 2)
        results.append((boxes[keep] * scale, scores[keep], labels[keep]))
    return results


def difference(
    scope: str,
    test_scope: str,
    ref,
    out,
    precision: str = 'fp32',
    max_per_img: Optional[int] = None,
) -> Tuple[float, str]:
    """(measure, description) of how far ``out`` is from the eager fp32 ``ref``, the
    measure to hold against ``TOLERANCE[precision]``.

    forward: fp32 max |difference| / max |ref|, other precisions the RMS error over the
    reference's RMS (worst output tensor; one outlier among thousands of int8 values is
    no error of the model). End to end: the share of differing labels (segmentation,
    classification); detection in fp32 1 - min IoU of matched boxes plus the boxes
    without a partner (above 1: boxes differ; worst image), in other precisions the
    share of all boxes of the batch without a partner of the same label at IoU >= 0.5;
    where an image has ``max_per_img`` boxes, those tied with the last one are left out.
    Outputs of other shapes or counts, and NaN or infinite values, measure infinity.
    """
    if test_scope == 'forward':
        refs, outs = flat_tensors(ref), flat_tensors(out)
        shapes = [tuple(t.shape) for t in refs], [tuple(t.shape) for t in outs]
        if shapes[0] != shapes[1]:
            return math.inf, f'outputs of shapes {shapes[1]}, eager {shapes[0]}'
        worst, rms, scale = 0.0, 0.0, 0.0
        for r, o in zip(refs, outs):
            r, o = r.double().cpu(), o.double().cpu()
            if not (torch.isfinite(r).all() and torch.isfinite(o).all()):
                return math.inf, 'NaN or infinite values in the outputs'
            if not r.numel():
                continue
            d = r - o
            worst = max(worst, (d.abs().max() / r.abs().max().clamp(min=1e-6)).item())
            rms = max(rms, rms_error(r, o))
            # rounding scatters; a systematic scale (least-squares a in out = a x ref) is
            # a wrong model, however small its RMS error
            a = (o * r).sum() / (r * r).sum().clamp(min=1e-24)
            scale = max(scale, abs(a.item() - 1))
        text = (
            f'max |difference| {worst:.2g} of the largest output, RMS error {rms:.2g}, '
            f'scale off by {scale:.2g}'
        )
        return (worst if precision == 'fp32' else max(rms, scale / SCALE_SHARE)), text
    if len(ref) != len(out):
        return math.inf, f'results for {len(out)} images, eager for {len(ref)}'
    if not all(torch.isfinite(t).all() for t in flat_tensors(out) if t.is_floating_point()):
        return math.inf, 'NaN or infinite values in the results'
    if scope == 'mmdet':
        worst, boxes, differ, lines = 0.0, 0, 0, []
        for (rb, rs, rl), (ob, os_, ol) in zip(ref, out):
            line = f'{len(os_)} vs {len(rs)} boxes'
            cut = -math.inf
            if max_per_img and len(rs) >= max_per_img:
                # boxes whose score ties with the last one kept at the max-per-image cut
                # may differ by rounding alone: compare those clearly above it
                cut = float(rs.min()) + 1e-3
                line += f' scoring over {cut:.3f}'
            r, o = rs > cut, os_ > cut
            m = match_detections(rb[r], rs[r], rl[r], ob[o], os_[o], ol[o])
            miss = m['unmatched'] + abs(m['count'] - m['count_ref'])
            worst = max(worst, 1 - m['min_iou'] + miss)
            boxes += m['count'] + m['count_ref']
            differ += m['count'] + m['count_ref'] - 2 * m['agree']
            lines.append(f"{line}, {m['agree']} at IoU >= 0.5, min IoU {m['min_iou']:.3f}")
        text = '; '.join(lines[:3])
        if precision == 'fp32':
            return worst, text
        return differ / max(boxes, 1), f'{differ} of {boxes} boxes without a partner: {text}'
    shapes = [tuple(t.shape) for t in ref], [tuple(t.shape) for t in out]
    if shapes[0] != shapes[1]:
        return math.inf, f'results of shapes {shapes[1]}, eager {shapes[0]}'
    if scope == 'mmpretrain':
        agree = (ref[0].argmax(1) == out[0].argmax(1)).float()
        same = agree.mean().item()
        return 1 - same, f'{int(agree.sum())} of {len(agree)} images the same top-1 class'
    same = float(np.mean([(r == o).float().mean().item() for r, o in zip(ref, out)]))
    return 1 - same, f'{same:.2%} same pixel labels'


def check_end_to_end(
    eager: Candidate, candidate: Candidate, images, precision: str
) -> Tuple[float, str]:
    """(measure, description) of ``candidate``'s end to end against eager fp32 on
    ``images``, to hold against ``TOLERANCE[precision]``: the larger of ``difference``
    on the decisions (labels, boxes) and on what they are taken from
    (``Candidate.scores``, compared as forward outputs). The decisions alone pass a
    network a little off everywhere (boxes 30% too large, every score 0.99)."""
    task = eager.scope
    measure, text = difference(
        task,
        'end_to_end',
        eager.end_to_end(images),
        candidate.end_to_end(images),
        precision,
        eager.max_per_img,
    )
    batch = to_batch(images, eager.shape)
    scores_measure, scores = difference(
        task, 'forward', eager.scores(batch), candidate.scores(batch), precision
    )
    name = dict(mmpretrain='softmax scores', mmseg='logits at the input size')
    return max(measure, scores_measure), f"{text}; {name.get(task, 'network outputs')}: {scores}"


def calibration_for(cfg, precision, shape, count, synthetic: bool) -> Optional[List[np.ndarray]]:
    """int8's calibration images (``calibration_images``' arrays): ``count`` of the
    config's training set, or ``synthetic`` ones (random weights timed on synthetic
    input: BN statistics were measured on the first of them). None for other precisions."""
    if precision != 'int8':
        return None
    if synthetic:
        return list(
            to_batch(synthetic_images(count, shape, PREPARATION_SEED), shape)[:, None].numpy()
        )
    return calibration_images(cfg, shape, count)


def work_folder() -> str:
    """A temporary folder for the exported graphs, removed when the process ends (the
    sessions have read the graphs by then; a folder per run had filled the disk)."""
    folder = tempfile.mkdtemp(prefix='mobilenet_v2_benchmark_')
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
