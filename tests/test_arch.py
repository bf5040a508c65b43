import pytest
from torchvision.models._utils import _make_divisible

from mobilenet_v2.models.arch import (
    TABLE_2,
    dilate_to_output_stride,
    last_channels,
    make_divisible,
    stage_plans,
    stem_channels,
)


@pytest.mark.parametrize('width', [0.35, 0.5, 0.75, 1.0, 1.3, 1.4])
def test_width_rounding_matches_torchvision(width):
    for stage in TABLE_2:
        assert make_divisible(stage.c * width) == _make_divisible(stage.c * width, 8)
    assert stem_channels(width) == _make_divisible(32 * width, 8)
    assert last_channels(width) == _make_divisible(1280 * max(1.0, width), 8)


def test_table_2_has_17_bottlenecks_numbered_2_to_18():
    layers = [b.layer for plan in stage_plans() for b in plan]
    assert layers == list(range(2, 19))


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
    plans = stage_plans(strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4))
    assert [b.dilation for b in plans[3]] == [2, 1, 1, 1]
    assert [b.dilation for b in plans[5]] == [4, 1, 1]


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
        stage_plans(**kwargs)
