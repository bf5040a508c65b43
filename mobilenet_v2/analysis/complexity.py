"""Parameters and multiply-adds (MAdds) of a model at an explicit input size.

Convention (the paper's and TF-slim's):
  * one multiply-add counts once, for every Conv2d and Linear layer, the classifier
    included: ``output elements x (input channels / groups) x kernel area``;
  * BatchNorm is folded into the conv before it, so it adds nothing; biases,
    activations, pooling, residual additions and resizing are not counted;
  * params are every parameter of the model, BatchNorm's included (torchvision's
    count: 3,504,872 for MobileNetV2 1.0 with a 1000-class head).
  * with ``tf_atrous``, a dilated conv with rate r is counted as TensorFlow's
    space-to-batch implementation computes it: over an output padded up to a multiple
    of r. The paper's Table 7 (5.8B MAdds for Mobile DeepLabv3 with ASPP at 513x513)
    was counted that way; PyTorch computes only the real outputs.
"""

import math
from collections import OrderedDict
from typing import Dict, NamedTuple

import torch
import torch.nn as nn

CONVENTION = __doc__.split('Convention', 1)[1].split('\n', 1)[1].rstrip()


class Complexity(NamedTuple):
    params: int
    madds: int
    groups: 'OrderedDict[str, Dict[str, int]]'  # top-level part -> params, madds


def _group(name: str, depth: int = 2) -> str:
    return '.'.join(name.split('.')[:depth])


def _layer_madds(module: nn.Module, output: torch.Tensor, tf_atrous: bool) -> int:
    per_sample = output[0].numel()
    if isinstance(module, nn.Conv2d) and tf_atrous and max(module.dilation) > 1:
        padded = [
            math.ceil(size / rate) * rate for size, rate in zip(output.shape[-2:], module.dilation)
        ]
        per_sample = output.shape[1] * padded[0] * padded[1]
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return per_sample * module.in_channels // module.groups * kh * kw
    return per_sample * module.in_features  # nn.Linear


@torch.no_grad()
def count_complexity(
    model: nn.Module, inputs: torch.Tensor, tf_atrous: bool = False, **forward_kwargs
) -> Complexity:
    """Params and MAdds of one sample of ``inputs`` (N, C, H, W), grouped by module."""
    groups: 'OrderedDict[str, Dict[str, int]]' = OrderedDict()
    hooks = []

    def record(name):
        def hook(module, args, output):
            entry = groups.setdefault(_group(name), dict(params=0, madds=0))
            entry['madds'] += _layer_madds(module, output, tf_atrous)

        return hook

    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            hooks.append(module.register_forward_hook(record(name)))
    was_training = model.training
    model.eval()
    try:
        model(inputs, **forward_kwargs)
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    for name, param in model.named_parameters():
        groups.setdefault(_group(name.rsplit('.', 1)[0]), dict(params=0, madds=0))
        groups[_group(name.rsplit('.', 1)[0])]['params'] += param.numel()
    total_params = sum(p.numel() for p in model.parameters())
    return Complexity(total_params, sum(g['madds'] for g in groups.values()), groups)


def format_table(result: Complexity) -> str:
    rows = [('part', 'params', 'MAdds')]
    rows += [(name, f"{g['params']:,}", f"{g['madds']:,}") for name, g in result.groups.items()]
    rows.append(('total', f'{result.params:,}', f'{result.madds:,}'))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f'{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}' for r in rows]
    lines.insert(1, '-' * len(lines[0]))
    lines.insert(-1, '-' * len(lines[0]))
    return '\n'.join(lines)
