"""The inverted residual block with a linear bottleneck (paper, Table 1, Figure 3)."""

from typing import Optional

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule


class InvertedResidual(nn.Module):
    """Expansion 1x1, depthwise 3x3, linear 1x1 projection; residual when shapes allow.

    The key layout (``conv.0/1/2``, each a ConvModule) is mmpretrain's and mmseg's, so
    their checkpoints load as they are.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        stride: Stride of the depthwise conv, 1 or 2.
        expand_ratio: Expansion factor t; t == 1 skips the expansion conv.
        dilation: Dilation (and padding) of the depthwise conv.
        expansion_output: Also return the expansion tensor, ``forward`` then gives
            ``(out, expansion)``. SSDLite attaches to it (paper, section 6.2).
        conv_cfg, norm_cfg, act_cfg: Passed to every ConvModule; the projection is
            always linear (no activation).
        with_cp: Recompute the block in backward (activation checkpointing).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int,
        expand_ratio: int,
        dilation: int = 1,
        expansion_output: bool = False,
        conv_cfg: Optional[dict] = None,
        norm_cfg: dict = dict(type='BN'),
        act_cfg: dict = dict(type='ReLU6'),
        with_cp: bool = False,
    ):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride}')
        if expansion_output and expand_ratio == 1:
            raise ValueError('a block with expand_ratio 1 has no expansion to output')
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.expansion_output = expansion_output
        self.with_cp = with_cp
        hidden = int(round(in_channels * expand_ratio))
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        layers = []
        if expand_ratio != 1:
            layers.append(ConvModule(in_channels, hidden, 1, act_cfg=act_cfg, **common))  # pw
        layers += [
            ConvModule(
                hidden,
                hidden,
                3,
                stride=stride,
                padding=dilation,
                dilation=dilation,
                groups=hidden,
                act_cfg=act_cfg,
                **common,
            ),  # dw
            ConvModule(hidden, out_channels, 1, act_cfg=None, **common),  # pw-linear
        ]
        self.conv = nn.Sequential(*layers)

    def _forward(self, x: torch.Tensor):
        if self.expansion_output:
            expansion = self.conv[0](x)
            out = self.conv[2](self.conv[1](expansion))
        else:
            out = self.conv(x)
        if self.use_res_connect:
            out = x + out
        return (out, expansion) if self.expansion_output else out

    def forward(self, x: torch.Tensor):
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)
