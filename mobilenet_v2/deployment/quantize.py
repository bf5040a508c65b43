"""Post-training static int8 quantization of an exported graph with ONNX Runtime.

QDQ format, per-channel int8 weights and uint8 activations (ONNX Runtime's recommended
U8S8 on x86), MinMax calibration on images from the config's own training set. Only
the network's convolutions, matrix products and their activations are quantized
(``QUANTIZED_OPS``): the pre- and post-processing (normalisation, resizing, softmax,
box decoding, NMS) stay fp32. Quantizing the activations (ReLU6 is ONNX's Clip) lets
ONNX Runtime fuse conv and activation into one int8 kernel: measured on the 224x224
classifier (2 threads, AVX-512 VNNI), convs only 5.9 ms, with Clip 4.0 ms, fp32 7.5 ms.

On x86 CPUs without VNNI the int8 kernels saturate (``runtime.int8_saturates``); there
the weights are quantized to 7 bits (ONNX Runtime's ``reduce_range``), as ONNX Runtime's
documentation advises for such CPUs. The graph says which in its metadata
(``runtime.WEIGHT_BITS``).
"""

import os.path as osp
import tempfile
from typing import Iterator, List, Optional, Tuple

import mmcv
import numpy as np
from mmengine.config import Config

from ..apis.config import ConfigError, build_split_dataset
from .runtime import WEIGHT_BITS, int8_saturates

QUANTIZED_OPS = ['Conv', 'Gemm', 'MatMul', 'Clip', 'Relu']


def calibration_images(
    cfg: Config, shape: Tuple[int, int], count: int, split: str = 'train'
) -> List[np.ndarray]:
    """``count`` images of the config's ``<split>_dataloader`` dataset, evenly spaced
    through it, each a (1, 3, H, W) float32 RGB array in 0..255 resized to ``shape``.

    Raises:
        ConfigError: the dataset's root is missing, or it has fewer images than ``count``.
    """
    if count < 1:
        raise ConfigError(f'--calib-images must be at least 1, got {count}')
    dataset = build_split_dataset(cfg, split)
    if len(dataset) < count:
        raise ConfigError(
            f'{split}_dataloader.dataset has {len(dataset)} images, fewer than the '
            f'{count} asked for calibration'
        )
    images = []
    for index in np.linspace(0, len(dataset) - 1, count).round().astype(int):
        info = dataset.get_data_info(int(index))
        image = mmcv.imread(info['img_path'], channel_order='rgb')
        image = mmcv.imresize(image, (shape[1], shape[0]))
        images.append(image.transpose(2, 0, 1)[None].astype(np.float32))
    return images


def quantize_onnx(
    src: str, dst: str, images: List[np.ndarray], reduce_range: Optional[bool] = None
) -> str:
    """Write the int8 (QDQ) version of the fp32 graph ``src`` to ``dst``, calibrated on
    ``images`` (arrays as ``calibration_images`` gives them). ``reduce_range``: 7-bit
    weights (None: where ``int8_saturates()``). Returns ``dst``."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    reduced = int8_saturates() if reduce_range is None else reduce_range

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches: Iterator = iter([{'images': image} for image in images])

        def get_next(self):
            return next(self.batches, None)

    with tempfile.TemporaryDirectory() as tmp:
        prepared = osp.join(tmp, 'prepared.onnx')
        quant_pre_process(src, prepared, skip_symbolic_shape=True)
        quantize_static(
            prepared,
            dst,
            Reader(),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=QUANTIZED_OPS,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            reduce_range=reduced,
        )
    graph = onnx.load(dst)
    entry = graph.metadata_props.add()
    entry.key, entry.value = WEIGHT_BITS, '7' if reduced else '8'
    onnx.save(graph, dst)
    return dst
