"""Running an exported graph with ONNX Runtime or OpenVINO, as a callable like the
PyTorch model: (N, 3, H, W) float32 images in, the graph's outputs as torch tensors out.

Both read the same .onnx files (``export_onnx``'s fp32 graphs and ``quantize_onnx``'s
int8 QDQ graphs). Measured on the 224x224 classifier (2 threads, AVX-512 VNNI, batch 1,
docs/benchmarks.md): fp32 about equal (3.6-3.9 ms), int8 OpenVINO 1.6-1.7 ms against
ONNX Runtime's 2.1-2.8 ms; on Mobile DeepLabv3 ONNX Runtime is the faster of the two.
"""

import functools
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple

import numpy as np
import torch

from ..apis.config import ConfigError
from ..messages import ToolboxWarning

# metadata key of the int8 graphs ``quantize.quantize_onnx`` writes: their weights' bits
WEIGHT_BITS = 'mobilenet_v2.int8_weight_bits'
# the instructions that add u8 x s8 products in 32 bits (torch.cpu.get_capabilities keys)
VNNI = ('avx512_vnni', 'avx_vnni', 'amx_int8')
# why int8 graphs made on such a CPU have 7-bit weights (the tools print it)
NO_VNNI = 'this CPU has no VNNI: full-range int8 saturates its int8 kernels'


def int8_saturates() -> bool:
    """Whether this CPU's int8 convolutions can saturate: an x86 CPU without VNNI
    (``VNNI``), where ONNX Runtime's, OpenVINO's and oneDNN's u8 x s8 kernels add pairs of
    products in 16 bits (``vpmaddubsw``): 255 x 127 x 2 exceeds 32767. Trained weights
    rarely come near it; random weights fill the int8 range. Measured on the prepared
    random toy classifier at 64x64 on an AVX2 EPYC (RMS error of the logits against
    fp32): ONNX Runtime 65%, the same graph computed in float (ONNX Runtime's
    ``session.disable_quant_qdq``) 20%; with 7-bit weights 24% (25% in float)
    (docs/troubleshooting.md)."""
    capabilities = torch.cpu.get_capabilities()
    if capabilities.get('architecture') != 'x86_64':
        return False
    return not any(capabilities.get(name) for name in VNNI)


def weight_bits(path: str) -> Optional[int]:
    """The bits of an int8 graph's weights: its ``WEIGHT_BITS`` metadata, or for a graph
    quantized elsewhere the largest int8 weight (over 64: 8 bits, as 7-bit weights reach
    64 at most). None for a graph without int8 weights, or without the onnx package."""
    try:
        import onnx
    except ImportError:
        return None
    graph = onnx.load(path, load_external_data=False)
    metadata = {entry.key: entry.value for entry in graph.metadata_props}
    if WEIGHT_BITS in metadata:
        return int(metadata[WEIGHT_BITS])
    largest = [
        int(np.abs(onnx.numpy_helper.to_array(t)).max(initial=0))
        for t in graph.graph.initializer
        if t.data_type == onnx.TensorProto.INT8
    ]
    return (8 if max(largest) > 64 else 7) if largest else None


def _warn_if_saturating(path: str):
    if int8_saturates() and weight_bits(path) == 8:
        warnings.warn(
            ToolboxWarning(
                f'{path} holds 8-bit int8 weights and this CPU has no VNNI: its int8 '
                'kernels can saturate and give wrong outputs; to run it here, quantize it '
                'with 7-bit weights (tools/deployment/export_onnx.py --int8 --weight-bits 7)'
            ),
            stacklevel=3,
        )


def _check_file(path: str):
    if not osp.isfile(path):
        raise ConfigError(f'ONNX file {path} does not exist')


def _unreadable(path: str, err: object) -> ConfigError:
    reason = ' '.join(str(err).split())[:160]
    return ConfigError(f'{path} cannot be read as an ONNX graph ({reason})')


class OrtModel:
    """An ONNX file in an ONNX Runtime CPU session.

    Args:
        path: The .onnx file (``export_onnx`` or ``quantize_static`` wrote it).
        threads: intra-op threads (None: ONNX Runtime's default, one per core).
        spinning: let idle threads busy-wait for the next run (ONNX Runtime's default,
            fastest alone); False when other work shares the cores between runs.

    Calling it with (N, 3, H, W) float32 images returns the graph's outputs as torch
    tensors, in the order of ``output_names``.

    Raises:
        ConfigError: onnxruntime is not installed or the file does not exist.
    """

    def __init__(self, path: str, threads: Optional[int] = None, spinning: bool = True):
        try:
            import onnxruntime as ort
        except ImportError:
            raise ConfigError(
                'onnxruntime is not installed: pip install -r requirements/optional.txt'
            ) from None
        _check_file(path)
        options = ort.SessionOptions()
        if not spinning:
            options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        except Exception as err:  # onnxruntime raises its own kinds for unreadable files
            raise _unreadable(path, err) from None
        _warn_if_saturating(path)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.input_shape = self.session.get_inputs()[0].shape  # [N, 3, H, W]; N may be a name

    def __call__(self, images: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        array = np.ascontiguousarray(images.detach().cpu().numpy(), dtype=np.float32)
        outputs = self.session.run(self.output_names, {self.input_name: array})
        return tuple(torch.from_numpy(o) for o in outputs)


@functools.cache
def openvino_precisions() -> Tuple[str, ...]:
    """The precisions OpenVINO's CPU plugin runs on this machine: fp32 and int8
    everywhere, bf16 where the CPU has AVX-512 BF16 or AMX, fp16 where it has AVX-512
    FP16 or AMX-FP16 (its ``OPTIMIZATION_CAPABILITIES``, read once per process). Empty
    without openvino."""
    try:
        import openvino as ov
    except ImportError:
        return ()
    capabilities = ov.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
    names = dict(FP32='fp32', INT8='int8', BF16='bf16', FP16='fp16')
    return tuple(names[c] for c in capabilities if c in names)


def _as_onnx_defines(graph):
    """Give OpenVINO's conversion of an ONNX graph (in place) ONNX's definition of
    ``NonMaxSuppression``, which ONNX Runtime and torchvision follow: ONNX suppresses boxes
    overlapping a kept one at IoU > threshold, OpenVINO (2026.4) at IoU >= threshold (a
    pair at exactly float32(0.45) kept one box fewer). A constant threshold becomes the
    next float32 above it, so that OpenVINO's float32 IoU >= it exactly where IoU > the
    threshold; one computed in the graph is left as it is (our graphs have constants).
    (Its TopK is not stable either, unlike ONNX's, so ties come in an order of its own:
    stable TopKs made SSDLite's toy end to end 15-18 ms instead of 8-9 ms,
    docs/troubleshooting.md.)
    """
    import openvino.opset11 as ops

    for node in graph.get_ops():
        if node.get_type_name() == 'NonMaxSuppression' and node.get_input_size() > 3:
            threshold = node.input_value(3).get_node()
            if threshold.get_type_name() == 'Constant':
                above = np.nextafter(threshold.get_data().astype(np.float32), np.float32(np.inf))
                # not a denormal: the plugin flushes those to 0 (0 stayed IoU >= 0)
                above = np.maximum(above, np.finfo(np.float32).tiny)
                node.input(3).replace_source_output(ops.constant(above).output(0))


class OpenVinoModel:
    """An ONNX file compiled by OpenVINO's CPU plugin for latency (one stream).

    Args:
        path: The .onnx file (``export_onnx``'s fp32 graph or ``quantize_onnx``'s int8
            QDQ graph, which OpenVINO runs with int8 kernels).
        threads: inference threads (None: OpenVINO's default, one per core).
        precision: ``'fp32'``, or ``'bf16'``/``'fp16'`` to let OpenVINO compute the
            fp32 graph's layers in that precision (``INFERENCE_PRECISION_HINT``) where
            ``openvino_precisions()`` has it.

    A graph with a symbolic batch is compiled for each batch size it is called with
    (static shapes run OpenVINO's fastest kernels), once per size.

    Raises:
        ConfigError: openvino is not installed, the file does not exist or is no ONNX
            graph, or the precision is not one this machine runs.
    """

    HINTS = dict(fp32='f32', bf16='bf16', fp16='f16')

    def __init__(self, path: str, threads: Optional[int] = None, precision: str = 'fp32'):
        try:
            import openvino as ov
        except ImportError:
            raise ConfigError(
                'openvino is not installed: pip install -r requirements/optional.txt'
            ) from None
        _check_file(path)
        runs = [p for p in openvino_precisions() if p in self.HINTS]
        if precision not in runs:
            raise ConfigError(
                f'OpenVINO computes fp32 graphs in {" or ".join(runs)} on this CPU, not '
                f'{precision!r} (int8 graphs run as quantized)'
            )
        self.core = ov.Core()
        onnx = ov.frontend.FrontEndManager().load_by_framework('onnx')
        try:  # the ONNX frontend alone: read_model would also try TensorFlow's, noisily
            self.graph = onnx.convert(onnx.load(path))
        except Exception as err:  # GeneralFailure: 'Check ... failed at FILE:LINE: reason'
            raise _unreadable(path, (str(err).splitlines() or [''])[-1]) from None
        self.config = {
            'PERFORMANCE_HINT': 'LATENCY',
            'NUM_STREAMS': 1,
            'INFERENCE_PRECISION_HINT': self.HINTS[precision],
            **({'INFERENCE_NUM_THREADS': threads} if threads else {}),
        }
        if not self.graph.inputs or not self.graph.outputs:  # an empty file converts
            raise ConfigError(f'{path} cannot be read as an ONNX graph (it holds no graph)')
        _as_onnx_defines(self.graph)
        _warn_if_saturating(path)
        self.path = path
        self.output_names = [o.get_any_name() for o in self.graph.outputs]
        partial = self.graph.inputs[0].get_partial_shape()
        names = ('batch', 'channels', 'height', 'width')
        self.input_shape = [
            d.get_length() if d.is_static else name for d, name in zip(partial, names)
        ]
        self.requests: Dict[tuple, object] = {}

    def _request(self, shape: tuple):
        if shape not in self.requests:
            import openvino as ov

            fits = len(shape) == len(self.input_shape) and all(
                not isinstance(want, int) or want == got
                for want, got in zip(self.input_shape, shape)
            )
            if not fits:  # OpenVINO would reshape a fixed graph and run it anyway
                batch = self.input_shape[0]
                other_batch = isinstance(batch, int) and shape[:1] != (batch,)
                hint = ' (export with --dynamic-batch for other batch sizes)' if other_batch else ''
                raise ConfigError(
                    f'{self.path} takes input {list(self.input_shape)}, given {list(shape)}{hint}'
                )
            self.graph.reshape({self.graph.inputs[0]: ov.PartialShape(list(shape))})
            compiled = self.core.compile_model(self.graph, 'CPU', self.config)
            self.requests[shape] = compiled.create_infer_request()
        return self.requests[shape]

    def __call__(self, images: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        array = np.ascontiguousarray(images.detach().cpu().numpy(), dtype=np.float32)
        request = self._request(array.shape)
        request.infer({0: array})
        # the request reuses its output buffers: copy before the next call
        return tuple(
            torch.from_numpy(request.get_output_tensor(i).data.copy())
            for i in range(len(self.output_names))
        )
