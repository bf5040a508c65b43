"""Running an exported graph with ONNX Runtime, as a callable like the PyTorch model."""

import os.path as osp
from typing import Optional, Tuple

import numpy as np
import torch

from ..apis.config import ConfigError


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
        if not osp.isfile(path):
            raise ConfigError(f'ONNX file {path} does not exist')
        options = ort.SessionOptions()
        if not spinning:
            options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        except Exception as err:  # onnxruntime raises its own kinds for unreadable files
            reason = (str(err).splitlines() or [''])[0][:160]
            raise ConfigError(f'{path} cannot be read as an ONNX graph ({reason})') from None
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.input_shape = self.session.get_inputs()[0].shape  # [N, 3, H, W]; N may be a name

    def __call__(self, images: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        array = np.ascontiguousarray(images.detach().cpu().numpy(), dtype=np.float32)
        outputs = self.session.run(self.output_names, {self.input_name: array})
        return tuple(torch.from_numpy(o) for o in outputs)
