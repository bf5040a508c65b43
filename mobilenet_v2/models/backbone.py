"""The one MobileNetV2 backbone for mmseg, mmdet and mmpretrain."""

import warnings
from typing import List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..messages import ToolboxWarning
from ..registry import MODELS
from .arch import network_plan
from .blocks import TF_SAME, InvertedResidual, Stage

# The default init; a sentinel too: ``pretrained`` may replace it, an explicit one not.
DEFAULT_INIT_CFG = (
    dict(type='Kaiming', layer='Conv2d'),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
)


@MODELS.register_module()
class MobileNetV2(BaseModule):
    """MobileNetV2 (Sandler et al. 2018), a superset of the mmseg, mmdet and mmpretrain
    backbones with mmpretrain's state-dict layout.

    Modules: ``conv1`` (stem), ``layer1``..``layer7`` (the seven bottleneck stages of
    Table 2) and ``conv2`` (the 1x1 conv to 1280 channels). Entries past the deepest
    requested output are not built, so a segmentation backbone has no unused
    ``conv2`` (and loads mmseg's checkpoints with no unexpected keys). Every channel
    count, stride and dilation comes from ``arch.network_plan``; ``__init__`` only
    builds modules.

    Args:
        widen_factor: Width multiplier (the paper evaluates 0.35-1.4). Channels are
            rounded to multiples of 8; below 1.0 the last conv keeps 1280 channels.
        out_indices: Entry outputs to return: 0-6 are ``layer1``-``layer7``, 7 is
            ``conv2``. Returned in network order, a repeated index once (as upstream).
            Defaults differ between toolboxes: ours (7,), mmpretrain's (7,), mmdet's
            (1, 2, 4, 7), mmseg's (1, 2, 4, 6); our configs set them explicitly.
        strides: Stride of the first block of each stage (1 or 2); None: Table 2's
            (1, 2, 2, 2, 1, 2, 1).
        dilations: Dilation of the first block of each stage; mmseg's semantics, e.g.
            its D8 models use strides (1, 2, 2, 1, 1, 1, 1), dilations
            (1, 1, 1, 2, 2, 4, 4); None: no dilation.
        output_stride: 8, 16 or 32: set strides and dilate every later block, DeepLab
            style (see ``arch.dilate_to_output_stride``); ValueError if strides or
            dilations are given too, even with Table 2's values.
        expansion_outputs: Block paths (``'layer2.0'``..``'layer7.0'``) whose expansion
            tensor (after the expansion conv's activation) is also returned, e.g.
            ``('layer6.0', )``, TF-slim layer 15: SSDLite's 576-channel stride-16
            feature (paper, section 6.2). The output is named ``layer6.0.conv.0``.
        frozen_stages: -1 freezes nothing; 0 freezes ``conv1``; k > 0 also the first k
            of ``layer1``..``conv2`` (those that are built). Frozen means no gradients
            and eval mode.
        frozen_stem_eval: Put the frozen ``conv1`` in eval mode too (its BN running
            statistics stay fixed with its weights). False gives mmpretrain's, mmseg's
            and mmdet's behaviour, whose ``_freeze_stages`` leaves the stem's BN
            training (docs/backbone.md).
        conv_cfg, norm_cfg, act_cfg: For every ConvModule (ReLU6 and BN by default).
        norm_eval: Keep every BatchNorm in eval mode during training.
        with_cp: Activation checkpointing in every block (less memory, slower).
        memory_chunks: Inference of every block in this many slices of its hidden
            channels (paper, section 5.1; ``InvertedResidual``): same outputs, the
            expansion tensor never whole. 1 (default) computes blocks plainly.
        tf_padding: TensorFlow's "same" padding in the stride-2 convs (the stem and
            the stride-2 depthwise convs): on an even size it pads 0 before and 1
            after, where PyTorch pads 1 on both sides (mmcv's
            ``Conv2dAdaptivePadding``). Weights converted from Keras Applications or
            TF-slim then give the source's outputs. Stride-1 convs pad alike in both.
            ValueError together with a ``conv_cfg``.
        pretrained: Deprecated (mmseg's and mmdet's route): a checkpoint path, mapped
            to ``init_cfg=dict(type='Pretrained', checkpoint=pretrained)`` with a
            warning. ValueError together with an ``init_cfg`` of one's own.
        init_cfg: Initialisation; ``dict(type='Pretrained', checkpoint=PATH)`` loads an
            mmpretrain/mmseg checkpoint (``prefix='backbone'`` for a whole model's).

    Raises:
        ValueError: for an argument out of range (``arch.network_plan``,
            ``arch.Plan.outputs``), naming it and its valid values.

    ``forward`` takes (N, 3, H, W) images and returns a tuple of the requested tensors
    in network order; ``self.output_specs`` gives each one's module path, channels and
    stride, and ``arch.network_plan(...).outputs(...)`` gives the same without building.
    """

    def __init__(
        self,
        widen_factor: float = 1.0,
        out_indices: Sequence[int] = (7,),
        strides: Optional[Sequence[int]] = None,
        dilations: Optional[Sequence[int]] = None,
        output_stride: Optional[int] = None,
        expansion_outputs: Sequence[str] = (),
        frozen_stages: int = -1,
        frozen_stem_eval: bool = True,
        conv_cfg: Optional[dict] = None,
        norm_cfg: dict = dict(type='BN'),
        act_cfg: dict = dict(type='ReLU6'),
        norm_eval: bool = False,
        with_cp: bool = False,
        memory_chunks: int = 1,
        tf_padding: bool = False,
        pretrained: Optional[str] = None,
        init_cfg=DEFAULT_INIT_CFG,
    ):
        if pretrained is not None:
            if init_cfg is not DEFAULT_INIT_CFG:
                raise ValueError('give pretrained or init_cfg, not both (pretrained is deprecated)')
            warnings.warn(
                ToolboxWarning(
                    'pretrained is deprecated, use '
                    "init_cfg=dict(type='Pretrained', checkpoint=...) instead"
                ),
                stacklevel=2,
            )
            init_cfg = dict(type='Pretrained', checkpoint=pretrained)
        super().__init__(list(init_cfg) if isinstance(init_cfg, tuple) else init_cfg)
        plan = network_plan(widen_factor, strides, dilations, output_stride)
        self.output_specs = plan.outputs(out_indices, expansion_outputs)
        if frozen_stages not in range(-1, len(plan.entries) + 1):
            raise ValueError(
                f'frozen_stages must be in -1..{len(plan.entries)}, got {frozen_stages}'
            )
        self.widen_factor = widen_factor
        self.out_indices = tuple(sorted(set(out_indices)))
        self.frozen_stages = frozen_stages
        self.frozen_stem_eval = frozen_stem_eval
        self.norm_eval = norm_eval
        if tf_padding and conv_cfg is not None:
            raise ValueError('tf_padding builds its own stride-2 convs: give no conv_cfg')
        self.tf_padding = tf_padding
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        stem = dict(common, conv_cfg=TF_SAME) if tf_padding else common
        self.conv1 = ConvModule(3, plan.stem_channels, 3, 2, 0 if tf_padding else 1, **stem)
        taps = {spec.name for spec in self.output_specs}
        built = max(spec.entry for spec in self.output_specs) + 1
        self.layers: List[str] = list(plan.entries[:built])
        for name, stage in zip(self.layers, plan.stages):
            blocks = [
                InvertedResidual(
                    b.in_channels,
                    b.hidden_channels,
                    b.out_channels,
                    b.stride,
                    b.dilation,
                    expansion_output=b.expansion_path in taps,
                    with_cp=with_cp,
                    memory_chunks=memory_chunks,
                    tf_padding=tf_padding,
                    **common,
                )
                for b in stage
            ]
            self.add_module(name, Stage(*blocks))
        if 'conv2' in self.layers:
            in_channels = plan.stages[-1][-1].out_channels
            self.conv2 = ConvModule(in_channels, plan.last_channels, 1, **common)

    @property
    def out_channels(self) -> Tuple[int, ...]:
        return tuple(spec.channels for spec in self.output_specs)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.conv1(x)
        outs = []
        for i, name in enumerate(self.layers):
            # a stage appends its expansion outputs to outs; conv2 has none
            x = self.conv2(x) if name == 'conv2' else getattr(self, name)(x, outs)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def _freeze_stages(self):
        if self.frozen_stages < 0:
            return
        for param in self.conv1.parameters():
            param.requires_grad = False
        if self.frozen_stem_eval:
            self.conv1.eval()
        for name in self.layers[: self.frozen_stages]:
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
