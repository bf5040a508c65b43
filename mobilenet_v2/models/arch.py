"""MobileNetV2 as data: the paper's Table 2, width rounding and output stride.

Sandler et al. 2018, "Inverted Residuals and Linear Bottlenecks", Table 2::

    input      operator     t     c     n   s
    224x224x3  conv2d       -     32    1   2
    112x112x32 bottleneck   1     16    1   1
    ...        (TABLE_2 below, row for row)
    7x7x320    conv2d 1x1   -     1280  1   1

Layers are numbered as in TF-slim and the paper's SSDLite section: layer 1 is the
stem conv, layers 2-18 the 17 bottleneck blocks, layer 19 the 1x1 conv.
"""

from typing import NamedTuple, Optional, Sequence


class Stage(NamedTuple):
    t: int  # expansion factor
    c: int  # output channels at width 1.0
    n: int  # blocks
    s: int  # stride of the first block


TABLE_2 = (
    Stage(1, 16, 1, 1),
    Stage(6, 24, 2, 2),
    Stage(6, 32, 3, 2),
    Stage(6, 64, 4, 2),
    Stage(6, 96, 3, 1),
    Stage(6, 160, 3, 2),
    Stage(6, 320, 1, 1),
)
STEM_CHANNELS = 32
LAST_CHANNELS = 1280
TABLE_2_STRIDES = tuple(stage.s for stage in TABLE_2)
FIRST_BLOCK_LAYER = 2  # TF-slim number of the first bottleneck block


class BlockSpec(NamedTuple):
    in_channels: int
    out_channels: int
    expand_ratio: int
    stride: int
    dilation: int
    layer: int  # TF-slim layer number, 2..18


def make_divisible(value: float, divisor: int = 8, min_ratio: float = 0.9) -> int:
    """Round ``value`` to the nearest multiple of ``divisor``, losing at most 10%."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < min_ratio * value:
        rounded += divisor
    return rounded


def stem_channels(widen_factor: float) -> int:
    return make_divisible(STEM_CHANNELS * widen_factor)


def last_channels(widen_factor: float) -> int:
    """Widths below 1.0 keep 1280 channels in the last conv (paper, section 6.1)."""
    return make_divisible(LAST_CHANNELS * max(1.0, widen_factor))


def dilate_to_output_stride(output_stride: int) -> tuple:
    """Per-block (stride, dilation) of the DeepLab convention for ``output_stride``.

    Once the network has downsampled by ``output_stride``, every later stride-2 block
    runs at stride 1 and all following blocks dilate by the stride they gave up (TF
    models' ``output_stride`` argument). Returns one tuple of pairs per stage.
    """
    if output_stride not in (8, 16, 32):
        raise ValueError(f'output_stride must be 8, 16 or 32, got {output_stride}')
    current_stride, rate, stages = 2, 1, []  # the stem already has stride 2
    for stage in TABLE_2:
        blocks = []
        for i in range(stage.n):
            stride = stage.s if i == 0 else 1
            if current_stride == output_stride:
                blocks.append((1, rate))
                rate *= stride
            else:
                blocks.append((stride, rate))
                current_stride *= stride
        stages.append(tuple(blocks))
    return tuple(stages)


def stage_plans(
    widen_factor: float = 1.0,
    strides: Optional[Sequence[int]] = None,
    dilations: Optional[Sequence[int]] = None,
    output_stride: Optional[int] = None,
) -> list:
    """The blocks of every stage as ``BlockSpec`` lists.

    ``strides``/``dilations`` give one value per stage and dilate only the first block
    of a stage, as mmseg's MobileNetV2 does (its published M-V2-D8 checkpoints were
    trained that way); left None they are Table 2's strides and no dilation.
    ``output_stride`` instead dilates every block after the last kept downsampling
    (DeepLab convention); giving it with strides or dilations (even Table 2's own
    values) raises ValueError.
    """
    if widen_factor <= 0:
        raise ValueError(f'widen_factor must be positive, got {widen_factor}')
    if output_stride is not None:
        if strides is not None or dilations is not None:
            raise ValueError(
                'give either output_stride or strides/dilations, not both (a config that '
                'sets strides/dilations, as the M-V2-D8 ones do, needs them set to None)'
            )
        per_block = dilate_to_output_stride(output_stride)
    else:
        strides = TABLE_2_STRIDES if strides is None else strides
        dilations = (1,) * len(TABLE_2) if dilations is None else dilations
        if len(strides) != len(TABLE_2) or len(dilations) != len(TABLE_2):
            raise ValueError(
                f'strides and dilations need {len(TABLE_2)} values (one per '
                f'stage), got {tuple(strides)} and {tuple(dilations)}'
            )
        if any(s not in (1, 2) for s in strides):
            raise ValueError(f'every stride must be 1 or 2, got {tuple(strides)}')
        per_block = tuple(
            tuple((s, d) if i == 0 else (1, 1) for i in range(stage.n))
            for stage, s, d in zip(TABLE_2, strides, dilations)
        )

    in_channels, layer, plans = stem_channels(widen_factor), FIRST_BLOCK_LAYER, []
    for stage, blocks in zip(TABLE_2, per_block):
        out_channels = make_divisible(stage.c * widen_factor)
        plan = []
        for stride, dilation in blocks:
            plan.append(BlockSpec(in_channels, out_channels, stage.t, stride, dilation, layer))
            in_channels, layer = out_channels, layer + 1
        plans.append(plan)
    return plans
