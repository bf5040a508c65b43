import pytest
from torchvision.models._utils import _make_divisible

from mobilenet_v2.models.arch import (
    TABLE_2,
    dilate_to_output_stride,
    last_channels,
    make_divisible,
    network_plan,
    stem_channels,
)


@pytest.mark.parametrize('width', [0.35, 0.5, 0.75, 1.0, 1.3, 1.4])
def test_width_rounding_matches_torchvision(width):
    for stage in TABLE_2:
        assert make_divisible(stage.c * width) == _make_divisible(stage.c * width, 8)
    assert stem_channels(width) == _make_divisible(32 * width, 8)
    assert last_channels(width) == _make_divisible(1280 * max(1.0, width), 8)


def test_table_2_has_17_bottlenecks_numbered_2_to_18():
    plan = network_plan()
    assert [b.layer for b in plan.blocks] == list(range(2, 19))
    assert plan.blocks[13].path == 'layer6.0' and plan.blocks[13].layer == 15


def test_the_plan_carries_hidden_widths_and_running_strides():
    plan = network_plan(widen_factor=1.4)
    b = plan.stages[5][0]  # layer6.0, TF-slim 15
    assert (b.in_channels, b.hidden_channels, b.out_channels) == (136, 816, 224)
    assert (b.in_stride, b.out_stride) == (16, 32)
    assert plan.stages[0][0].hidden_channels == plan.stages[0][0].in_channels  # t == 1
    assert plan.stages[0][0].expansion_path is None
    # every block starts where the previous one ended
    for prev, block in zip(plan.blocks, plan.blocks[1:]):
        assert block.in_stride == prev.out_stride and block.in_channels == prev.out_channels


def test_outputs_are_a_pure_function_of_the_plan():
    plan = network_plan(output_stride=16)
    specs = plan.outputs(out_indices=(6, 1, 1), expansion_outputs=('layer6.0', 'layer3.1'))
    assert [(s.name, s.channels, s.stride, s.layer) for s in specs] == [
        ('layer2', 24, 4, 4),
        ('layer3.1.conv.0', 192, 8, 6),
        ('layer6.0.conv.0', 576, 16, 15),
        ('layer7', 320, 16, 18),
    ]
    assert network_plan().outputs((7,))[0][:3] == ('conv2', 1280, 32)


@pytest.mark.parametrize(
    'out_indices, expansion_outputs, message',
    [
        ((8,), (), r'out_indices \[8\] out of range: 0..7 are layer1, .*, conv2'),
        ((7,), ('layer1.0',), r"no block with an expansion: .*'layer2.0'..'layer7.0'"),
        ((7,), ('layer9.0',), 'no block with an expansion'),
        ((), (), 'at least one output'),
    ],
)
def test_bad_outputs_raise_value_error_listing_valid_ones(out_indices, expansion_outputs, message):
    with pytest.raises(ValueError, match=message):
        network_plan().outputs(out_indices, expansion_outputs)


@pytest.mark.parametrize(
    'output_stride, expected_rates',
    [
        (32, {1}),
        (16, {1, 2}),
        (8, {1, 2, 4}),
    ],
)
def test_output_stride_stops_downsampling_and_dilates(output_stride, expected_rates):
    blocks = [b for stage in dilate_to_output_stride(output_stride) for b in stage]
    total_stride = 2
    for stride, _ in blocks:
        total_stride *= stride
    assert total_stride == output_stride
    assert {rate for _, rate in blocks} == expected_rates


def test_output_stride_8_dilates_every_block_after_the_third_downsampling():
    stages = dilate_to_output_stride(8)
    assert stages[3] == ((1, 1), (1, 2), (1, 2), (1, 2))  # stage 4 gives up its stride
    assert stages[5] == ((1, 2), (1, 4), (1, 4))


def test_mmseg_dilations_only_dilate_the_first_block_of_a_stage():
    plan = network_plan(strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4))
    assert [b.dilation for b in plan.stages[3]] == [2, 1, 1, 1]
    assert [b.dilation for b in plan.stages[5]] == [4, 1, 1]
    assert plan.stages[-1][-1].out_stride == 8


@pytest.mark.parametrize(
    'kwargs, message',
    [
        (dict(output_stride=4), 'output_stride must be 8, 16 or 32'),
        (dict(output_stride=8, strides=(1, 2, 2, 1, 1, 1, 1)), 'not both'),
        # Table 2's own values given explicitly are still a second way to set the stride
        (dict(output_stride=16, strides=(1, 2, 2, 2, 1, 2, 1)), 'not both'),
        (dict(output_stride=16, dilations=(1,) * 7), 'not both'),
        (dict(strides=(1, 2)), 'one per stage'),
        (dict(strides=(1, 3, 2, 2, 1, 2, 1)), 'must be 1 or 2'),
        (dict(widen_factor=0), 'widen_factor must be positive'),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        network_plan(**kwargs)
