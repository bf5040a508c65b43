"""The one MobileNetV2 backbone for mmseg, mmdet and mmpretrain."""

from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..registry import MODELS
from .arch import last_channels, stage_plans, stem_channels
from .blocks import InvertedResidual


class OutputSpec(NamedTuple):
    name: str  # 'layer5', 'conv2', 'layer15.expansion' (TF-slim layer number)
    channels: int
    stride: int  # total downsampling of the input


@MODELS.register_module()
class MobileNetV2(BaseModule):
    """MobileNetV2 (Sandler et al. 2018), a superset of the mmseg, mmdet and mmpretrain
    backbones with mmpretrain's state-dict layout.

    Modules: ``conv1`` (stem), ``layer1``..``layer7`` (the seven bottleneck stages of
    Table 2) and ``conv2`` (the 1x1 conv to 1280 channels). Stages past the deepest
    requested output are not built, so a segmentation backbone has no unused
    ``conv2`` (and loads mmseg's checkpoints with no unexpected keys).

    Args:
        widen_factor: Width multiplier (the paper evaluates 0.35-1.4). Channels are
            rounded to multiples of 8; below 1.0 the last conv keeps 1280 channels.
        out_indices: Stage outputs to return: 0-6 are ``layer1``-``layer7``, 7 is
            ``conv2``.
        strides: Stride of the first block of each stage (1 or 2); None: Table 2's
            (1, 2, 2, 2, 1, 2, 1).
        dilations: Dilation of the first block of each stage; mmseg's semantics, e.g.
            its D8 models use strides (1, 2, 2, 1, 1, 1, 1), dilations
            (1, 1, 1, 2, 2, 4, 4); None: no dilation.
        output_stride: 8, 16 or 32: set strides and dilate every later block, DeepLab
            style (see ``arch.dilate_to_output_stride``); ValueError if strides or
            dilations are given too, even with Table 2's values.
        expansion_outputs: TF-slim layer numbers (3-18) whose expansion tensor (after
            the expansion conv's activation) is also returned, e.g. ``(15, )`` for
            SSDLite's 576-channel stride-16 feature.
        frozen_stages: Freeze (eval mode, no gradients) ``conv1`` when 0, plus the
            first k entries of ``layer1``..``conv2`` when k > 0; -1 freezes nothing.
        conv_cfg, norm_cfg, act_cfg: For every ConvModule (ReLU6 and BN by default).
        norm_eval: Keep every BatchNorm in eval mode during training.
        with_cp: Activation checkpointing in every block (less memory, slower).
        init_cfg: Initialisation; ``dict(type='Pretrained', checkpoint=PATH)`` loads an
            mmpretrain/mmseg checkpoint (``prefix='backbone'`` for a whole model's).

    ``forward`` returns a tuple of the requested tensors in network order; their
    names, channels and strides are ``self.output_specs``.
    """

    def __init__(
        self,
        widen_factor: float = 1.0,
        out_indices: Sequence[int] = (7,),
        strides: Optional[Sequence[int]] = None,
        dilations: Optional[Sequence[int]] = None,
        output_stride: Optional[int] = None,
        expansion_outputs: Sequence[int] = (),
        frozen_stages: int = -1,
        conv_cfg: Optional[dict] = None,
        norm_cfg: dict = dict(type='BN'),
        act_cfg: dict = dict(type='ReLU6'),
        norm_eval: bool = False,
        with_cp: bool = False,
        init_cfg=(
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
        ),
    ):
        super().__init__(list(init_cfg) if isinstance(init_cfg, tuple) else init_cfg)
        plans = stage_plans(widen_factor, strides, dilations, output_stride)
        num_stages = len(plans) + 1  # + conv2
        bad = [i for i in out_indices if i not in range(num_stages)]
        if bad or len(set(out_indices)) != len(out_indices):
            raise ValueError(
                f'out_indices must be distinct values in 0..{num_stages - 1}, '
                f'got {tuple(out_indices)}'
            )
        tapped = {b.layer for plan in plans for b in plan if b.expand_ratio != 1}
        bad = [n for n in expansion_outputs if n not in tapped]
        if bad:
            raise ValueError(
                f'expansion_outputs {bad} have no expansion: valid layers are '
                f'{min(tapped)}..{max(tapped)} (TF-slim numbering)'
            )
        if not out_indices and not expansion_outputs:
            raise ValueError('request at least one output (out_indices or expansion_outputs)')
        deepest = max(
            [
                *out_indices,
                *(i for i, plan in enumerate(plans) for b in plan if b.layer in expansion_outputs),
            ]
        )
        if frozen_stages not in range(-1, deepest + 2):
            raise ValueError(
                f'frozen_stages must be in -1..{deepest + 1} for these outputs, '
                f'got {frozen_stages}'
            )

        self.widen_factor = widen_factor
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.conv1 = ConvModule(3, stem_channels(widen_factor), 3, stride=2, padding=1, **common)

        self.layers: List[str] = []
        self.output_specs: List[OutputSpec] = []
        stride = 2
        for i, plan in enumerate(plans[: deepest + 1]):
            blocks = []
            for b in plan:
                stride *= b.stride
                tap = b.layer in expansion_outputs
                if tap:
                    expanded = int(round(b.in_channels * b.expand_ratio))
                    # the expansion runs before this block's own stride
                    self.output_specs.append(
                        OutputSpec(f'layer{b.layer}.expansion', expanded, stride // b.stride)
                    )
                blocks.append(
                    InvertedResidual(
                        b.in_channels,
                        b.out_channels,
                        b.stride,
                        b.expand_ratio,
                        b.dilation,
                        expansion_output=tap,
                        with_cp=with_cp,
                        **common,
                    )
                )
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            self.layers.append(f'layer{i + 1}')
            if i in out_indices:
                self.output_specs.append(OutputSpec(f'layer{i + 1}', plan[-1].out_channels, stride))
        if deepest == len(plans):
            self.conv2 = ConvModule(
                plans[-1][-1].out_channels, last_channels(widen_factor), 1, **common
            )
            self.layers.append('conv2')
            self.output_specs.append(OutputSpec('conv2', last_channels(widen_factor), stride))

    @property
    def out_channels(self) -> Tuple[int, ...]:
        return tuple(spec.channels for spec in self.output_specs)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.conv1(x)
        outs = []
        for i, name in enumerate(self.layers):
            stage = getattr(self, name)
            if name == 'conv2':
                x = stage(x)
            else:
                for block in stage:
                    if block.expansion_output:
                        x, expansion = block(x)
                        outs.append(expansion)
                    else:
                        x = block(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def _freeze_stages(self):
        frozen = ['conv1', *self.layers[: self.frozen_stages]] if self.frozen_stages >= 0 else []
        for name in frozen:
            module = getattr(self, name)
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
