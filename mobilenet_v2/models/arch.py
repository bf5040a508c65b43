"""MobileNetV2 as data: the paper's Table 2, width rounding and output stride.

Sandler et al. 2018, "Inverted Residuals and Linear Bottlenecks", Table 2::

    input      operator     t     c     n   s
    224x224x3  conv2d       -     32    1   2
    112x112x32 bottleneck   1     16    1   1
    ...        (TABLE_2 below, row for row)
    7x7x320    conv2d 1x1   -     1280  1   1

Layers are numbered as in TF-slim and the paper's SSDLite section: layer 1 is the
stem conv, layers 2-18 the 17 bottleneck blocks, layer 19 the 1x1 conv. Code names
blocks by module path instead (layer 15 is ``layer6.0``); ``BlockSpec.layer`` keeps
the TF-slim number as documentation.
"""

from typing import NamedTuple, Optional, Sequence, Tuple


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
    """One bottleneck block, with every fact derived from Table 2 and the options."""

    path: str  # module path in the backbone, e.g. 'layer6.0'
    layer: int  # TF-slim layer number, 2..18 (the paper's SSDLite section names 15)
    in_channels: int
    hidden_channels: int  # round(in_channels * t); equals in_channels when t == 1
    out_channels: int
    expand_ratio: int  # t
    stride: int  # of the depthwise conv, 1 or 2
    dilation: int  # of the depthwise conv
    in_stride: int  # downsampling of the block's input relative to the image

    @property
    def out_stride(self) -> int:
        return self.in_stride * self.stride

    @property
    def expansion_path(self) -> Optional[str]:
        """Module path of the expansion conv (``conv.0``), None when t == 1."""
        return f'{self.path}.conv.0' if self.expand_ratio != 1 else None


class OutputSpec(NamedTuple):
    """One backbone output: what it is and where it comes from."""

    name: str  # module path whose output it is: 'layer5', 'conv2', 'layer6.0.conv.0'
    channels: int
    stride: int  # downsampling relative to the input image
    entry: int  # index of the entry (0..6 layer1..layer7, 7 conv2) that computes it
    layer: int  # TF-slim layer number (documentation: conv2 is 19)


class Plan(NamedTuple):
    """The whole network: the stem, the seven stages of blocks, the last 1x1 conv."""

    stem_channels: int
    stages: Tuple[Tuple[BlockSpec, ...], ...]
    last_channels: int

    @property
    def entries(self) -> Tuple[str, ...]:
        """Module names after the stem, in network order: layer1..layer7, conv2."""
        return (*(f'layer{i + 1}' for i in range(len(self.stages))), 'conv2')

    @property
    def blocks(self) -> Tuple[BlockSpec, ...]:
        return tuple(b for stage in self.stages for b in stage)

    def entry_output(self, entry: int) -> OutputSpec:
        if entry == len(self.stages):
            last = self.stages[-1][-1]
            return OutputSpec('conv2', self.last_channels, last.out_stride, entry, last.layer + 1)
        last = self.stages[entry][-1]
        name = self.entries[entry]
        return OutputSpec(name, last.out_channels, last.out_stride, entry, last.layer)

    def outputs(
        self, out_indices: Sequence[int] = (7,), expansion_outputs: Sequence[str] = ()
    ) -> Tuple[OutputSpec, ...]:
        """The backbone's outputs in network order (the order ``forward`` returns them).

        ``out_indices`` index ``entries`` (0..7); repeated indices give one output, as
        in mmseg/mmdet/mmpretrain. ``expansion_outputs`` are block paths such as
        ``'layer6.0'`` (TF-slim layer 15); the output is the expansion conv's (after
        its activation, before the block's own stride).

        Raises:
            ValueError: an index out of range, a block path that does not exist or has
                no expansion (t == 1), or no output requested; the message lists the
                valid values.
        """
        if isinstance(expansion_outputs, str):
            raise ValueError(
                f'expansion_outputs must be a sequence of block paths, got the string '
                f'{expansion_outputs!r}: write ({expansion_outputs!r},)'
            )
        bad = [i for i in out_indices if i not in range(len(self.entries))]
        if bad:
            raise ValueError(
                f'out_indices {bad} out of range: 0..{len(self.entries) - 1} are '
                f'{", ".join(self.entries)}'
            )
        tapped = {b.path: b for b in self.blocks if b.expansion_path}
        bad = [p for p in expansion_outputs if p not in tapped]
        if bad:
            (first, *_, last) = tapped.values()
            raise ValueError(
                f'expansion_outputs {bad} name no block with an expansion: valid are the '
                f'block paths {first.path!r}..{last.path!r} (TF-slim layers '
                f"{first.layer}..{last.layer}), e.g. 'layer6.0' for layer 15"
            )
        if not out_indices and not expansion_outputs:
            raise ValueError('request at least one output (out_indices or expansion_outputs)')
        specs = []
        for entry in range(len(self.entries)):
            for b in self.stages[entry] if entry < len(self.stages) else ():
                if b.path in expansion_outputs:
                    specs.append(
                        OutputSpec(b.expansion_path, b.hidden_channels, b.in_stride, entry, b.layer)
                    )
            if entry in out_indices:
                specs.append(self.entry_output(entry))
        return tuple(specs)


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


def network_plan(
    widen_factor: float = 1.0,
    strides: Optional[Sequence[int]] = None,
    dilations: Optional[Sequence[int]] = None,
    output_stride: Optional[int] = None,
) -> Plan:
    """The network as a ``Plan``, every block's facts computed once, nothing built.

    ``strides``/``dilations`` give one value per stage and dilate only the first block
    of a stage, as mmseg's MobileNetV2 does (its published M-V2-D8 checkpoints were
    trained that way); left None they are Table 2's strides and no dilation.
    ``output_stride`` instead dilates every block after the last kept downsampling
    (DeepLab convention); giving it with strides or dilations (even Table 2's own
    values) raises ValueError, as do a non-positive width and malformed strides.
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
        if any(not isinstance(d, int) or d < 1 for d in dilations):
            raise ValueError(f'every dilation must be a positive integer, got {tuple(dilations)}')
        per_block = tuple(
            tuple((s, d) if i == 0 else (1, 1) for i in range(stage.n))
            for stage, s, d in zip(TABLE_2, strides, dilations)
        )

    in_channels, layer, in_stride = stem_channels(widen_factor), FIRST_BLOCK_LAYER, 2
    stages = []
    for number, (stage, blocks) in enumerate(zip(TABLE_2, per_block), start=1):
        out_channels = make_divisible(stage.c * widen_factor)
        plan = []
        for j, (stride, dilation) in enumerate(blocks):
            hidden = int(round(in_channels * stage.t))
            plan.append(
                BlockSpec(
                    f'layer{number}.{j}',
                    layer,
                    in_channels,
                    hidden,
                    out_channels,
                    stage.t,
                    stride,
                    dilation,
                    in_stride,
                )
            )
            in_channels, layer, in_stride = out_channels, layer + 1, in_stride * stride
        stages.append(tuple(plan))
    return Plan(stem_channels(widen_factor), tuple(stages), last_channels(widen_factor))
