"""The inverted residual block with a linear bottleneck (paper, Table 1, Figure 3)."""

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from torch.nn.modules.batchnorm import _BatchNorm

# TensorFlow's "same" padding, computed from each input's size (mmcv's conv layer)
TF_SAME = dict(type='Conv2dAdaptivePadding')


class InvertedResidual(nn.Module):
    """Expansion 1x1, depthwise 3x3, linear 1x1 projection; residual when shapes allow.

    The key layout (``conv.0/1/2``, each a ConvModule) is mmpretrain's and mmseg's, so
    their checkpoints load as they are.

    Args:
        in_channels: Input channels.
        hidden_channels: Channels of the expansion and the depthwise conv,
            ``round(in_channels * t)`` (``arch.BlockSpec.hidden_channels``); equal to
            ``in_channels`` (t == 1) there is no expansion conv.
        out_channels: Output channels.
        stride: Stride of the depthwise conv, 1 or 2.
        dilation: Dilation (and padding) of the depthwise conv.
        expansion_output: Also give the expansion tensor (see ``forward``). SSDLite
            attaches to it (paper, section 6.2).
        conv_cfg, norm_cfg, act_cfg: Passed to every ConvModule; the projection is
            always linear (no activation).
        with_cp: Recompute the block in backward (activation checkpointing).
        tf_padding: TensorFlow's "same" padding in a stride-2 depthwise conv (mmcv's
            ``Conv2dAdaptivePadding``: 0 before, 1 after on even sizes).
        memory_chunks: In inference (eval mode, no gradients), compute expansion,
            depthwise conv and projection in this many slices of the hidden channels,
            accumulating the projection, so the (N, hidden, H, W) tensor never exists
            whole (paper, section 5.1: "t" chunks bound the memory by the bottleneck
            tensors). 1: the plain computation. Needs BN convs (ValueError otherwise).
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        out_channels: int,
        stride: int = 1,
        dilation: int = 1,
        expansion_output: bool = False,
        conv_cfg: Optional[dict] = None,
        norm_cfg: dict = dict(type='BN'),
        act_cfg: dict = dict(type='ReLU6'),
        with_cp: bool = False,
        memory_chunks: int = 1,
        tf_padding: bool = False,
    ):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride}')
        expands = hidden_channels != in_channels
        if expansion_output and not expands:
            raise ValueError('t == 1 (hidden_channels == in_channels): no expansion to output')
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.expansion_output = expansion_output
        self.with_cp = with_cp
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        layers = []
        if expands:
            layers.append(ConvModule(in_channels, hidden_channels, 1, act_cfg=act_cfg, **common))
        tf_same = tf_padding and stride == 2  # stride 1: TF's "same" pads as PyTorch does
        layers += [
            ConvModule(
                hidden_channels,
                hidden_channels,
                3,
                stride=stride,
                padding=0 if tf_same else dilation,
                dilation=dilation,
                groups=hidden_channels,
                act_cfg=act_cfg,
                **dict(common, conv_cfg=TF_SAME) if tf_same else common,
            ),  # dw
            ConvModule(hidden_channels, out_channels, 1, act_cfg=None, **common),  # pw-linear
        ]
        self.conv = nn.Sequential(*layers)
        self.memory_chunks = 1
        self.set_memory_chunks(memory_chunks)

    def set_memory_chunks(self, chunks: int):
        """Inference in ``chunks`` slices of the hidden channels (see the class doc)."""
        if not isinstance(chunks, int) or chunks < 1:
            raise ValueError(f'memory_chunks must be a positive integer, got {chunks!r}')
        if chunks > 1:
            for module in self.conv:
                with_bn = module.with_norm and isinstance(module.norm, _BatchNorm)
                if not with_bn or tuple(module.order) != ('conv', 'norm', 'act'):
                    raise ValueError('memory_chunks needs conv-BN-activation ConvModules')
        self.memory_chunks = chunks

    def _forward_chunked(self, x: torch.Tensor) -> torch.Tensor:
        *expand, depthwise, project = self.conv
        hidden = depthwise.conv.out_channels
        out = None
        for part in torch.arange(hidden).tensor_split(min(self.memory_chunks, hidden)):
            sl = slice(int(part[0]), int(part[-1]) + 1)
            h = _conv_bn_act(expand[0], x, sl) if expand else x[:, sl]
            h = _conv_bn_act(depthwise, h, sl, groups=sl.stop - sl.start)
            partial = F.conv2d(h, project.conv.weight[:, sl])
            out = partial if out is None else out.add_(partial)
            del h, partial
        if project.conv.bias is not None:
            out = out + project.conv.bias.view(1, -1, 1, 1)
        out = _bn(project.norm, out, slice(None))
        return x + out if self.use_res_connect else out

    def _forward(self, x: torch.Tensor):
        if self.expansion_output:
            expansion = self.conv[0](x)
            out = self.conv[2](self.conv[1](expansion))
        else:
            out = self.conv(x)
        if self.use_res_connect:
            out = x + out
        return (out, expansion) if self.expansion_output else out

    def forward(self, x: torch.Tensor, expansions: Optional[list] = None) -> torch.Tensor:
        """(N, C_in, H, W) to (N, C_out, H / stride, W / stride). With
        ``expansion_output``, the (N, hidden, H, W) expansion is appended to
        ``expansions`` when a list is given."""
        if (
            self.memory_chunks > 1
            and not self.training
            and not torch.is_grad_enabled()
            and not self.expansion_output
        ):
            return self._forward_chunked(x)
        if self.with_cp and x.requires_grad:
            out = cp.checkpoint(self._forward, x, use_reentrant=False)
        else:
            out = self._forward(x)
        if self.expansion_output:
            out, expansion = out
            if expansions is not None:
                expansions.append(expansion)
        return out


class Stage(nn.Sequential):
    """A stage of blocks (``layer1``..``layer7``): an ``nn.Sequential`` (same keys) that
    passes the list collecting expansion outputs to its blocks, so that the stage, each
    block and each expansion conv are called as modules and forward hooks see them."""

    def forward(self, x: torch.Tensor, expansions: Optional[list] = None) -> torch.Tensor:
        for block in self:
            x = block(x, expansions)
        return x


def _bn(norm: _BatchNorm, x: torch.Tensor, sl: slice) -> torch.Tensor:
    """Eval-mode BatchNorm of channels ``sl`` of ``norm`` on ``x``."""
    return F.batch_norm(
        x,
        norm.running_mean[sl],
        norm.running_var[sl],
        norm.weight[sl] if norm.weight is not None else None,
        norm.bias[sl] if norm.bias is not None else None,
        False,
        0.0,
        norm.eps,
    )


def _conv_bn_act(module: ConvModule, x: torch.Tensor, sl: slice, groups: int = 1):
    """Output channels ``sl`` of a conv-BN-activation ConvModule."""
    conv = module.conv
    y = F.conv2d(
        x,
        conv.weight[sl],
        conv.bias[sl] if conv.bias is not None else None,
        conv.stride,
        conv.padding,
        conv.dilation,
        groups,
    )
    y = _bn(module.norm, y, sl)
    return module.activate(y) if module.with_activation else y
