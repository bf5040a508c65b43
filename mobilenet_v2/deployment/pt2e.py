"""Post-training static int8 quantization in PyTorch: torchao's PT2E flow with the
X86InductorQuantizer, run by torch.compile's inductor.

The network (normalised images to raw outputs) is captured with ``torch.export``,
observed on calibration images from the config's own training set, converted to
quantize/dequantize pairs and compiled with inductor's ``freezing`` on, which folds the
weights into constants and lowers each (dequantize, conv, ReLU6, quantize) pattern to
one oneDNN int8 kernel; without freezing the graph runs the pairs in fp32 (measured on
the 224x224 classifier, 2 threads: 12.3 ms unfrozen, 6.9 ms frozen, eager fp32 16 ms).
Pre- and post-processing stay fp32 in ``DeployModel``.

torch 2.14 ships no PT2E quantizer of its own; torchao does (``torchao.quantization.pt2e``;
requirements/optional.txt pins the tested version).
"""

import copy
from typing import List

import numpy as np
import torch
import torch.nn as nn

from ..apis.config import ConfigError
from .export import DeployModel
from .runtime import int8_saturates


class CompiledForInference(nn.Module):
    """``torch.compile(module)`` with inductor's ``freezing`` on for every call (so for
    every recompilation too): weights become constants that oneDNN prepacks, and int8
    patterns are lowered only on frozen graphs. ``torch.compile(..., options=
    {'freezing': True})`` fails on PT2E graphs in torch 2.14 (``onednn.qconv_prepack``
    has no fake-tensor kernel: docs/troubleshooting.md); the config patch works."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.compiled = torch.compile(module)

    def forward(self, *args):
        import torch._inductor.config as inductor_config

        with inductor_config.patch(freezing=True):
            return self.compiled(*args)


class _Network(nn.Module):
    """``model(x, mode='tensor')`` as a module of one tensor, for torch.export."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor):
        return self.model(x, mode='tensor')


def x86_quantizer():
    """torchao's X86InductorQuantizer with its default config for every operator: uint8
    activations 7-bit (0..127) where ``runtime.int8_saturates()``, torchao's
    ``reduce_range`` for CPUs without VNNI, else 0..255.

    Raises:
        ConfigError: torchao is not installed.
    """
    try:
        import torchao.quantization.pt2e.quantizer.x86_inductor_quantizer as xiq
    except ImportError:
        raise ConfigError(
            'int8 in PyTorch needs torchao: pip install -r requirements/optional.txt'
        ) from None
    quantizer = xiq.X86InductorQuantizer()
    quantizer.set_global(
        xiq.get_default_x86_inductor_quantization_config(reduce_range=int8_saturates())
    )
    return quantizer


def quantize_pt2e(wrapper: DeployModel, images: List[np.ndarray]) -> DeployModel:
    """A copy of ``wrapper`` whose network runs in int8 (PT2E, X86InductorQuantizer's
    default: per-channel symmetric int8 weights, per-tensor uint8 activations, those
    7-bit where ``runtime.int8_saturates()``),
    calibrated on ``images`` ((1, 3, H, W) float32 RGB arrays in 0..255, as
    ``quantize.calibration_images`` gives them). Compiles on its first call.

    Raises:
        ConfigError: torchao is not installed.
    """
    quantizer = x86_quantizer()  # first: it names a missing torchao
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantized = copy.deepcopy(wrapper).eval()
    with torch.no_grad():
        # an example batch of 2: one of 1 would fix the batch size of the captured graph
        example = quantized.normalise(torch.from_numpy(images[0])).expand(2, -1, -1, -1)
        batch = {'x': {0: torch.export.Dim('batch', min=1)}}
        graph = torch.export.export(
            _Network(quantized.model), (example,), dynamic_shapes=batch
        ).module()
        prepared = prepare_pt2e(graph, quantizer)
        for image in images:
            prepared(quantized.normalise(torch.from_numpy(image)))
        converted = convert_pt2e(prepared)
    quantized.network = CompiledForInference(converted)
    return quantized


def activation_bits(quantized: DeployModel) -> int:
    """The bits of the activations in ``quantize_pt2e``'s converted graph, read from its
    quantize nodes' ``quant_max`` (7: 0..127, 8: 0..255). Raises ValueError when the
    graph holds no quantize node or nodes of both ranges."""
    converted = quantized.network.compiled._orig_mod
    ranges = {
        node.args[4]  # (input, scale, zero point, quant_min, quant_max, dtype)
        for node in converted.graph.nodes
        if 'quantize_per_tensor' in str(node.target)
    }
    if len(ranges) != 1:
        raise ValueError(f'expected one activation range in the int8 graph, found {ranges}')
    return int(ranges.pop()).bit_length()
