import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mobilenet_v2.analysis import count_complexity
from mobilenet_v2.apis import build_model

from .conftest import ROOT

# The paper's Table 4 (1.0, 1.4) and the TF-slim grid (0.35, 0.5, 0.75) at 224x224.
PAPER_MADDS = {'0.35': 59e6, '0.5': 97e6, '0.75': 209e6, '1.0': 300e6, '1.4': 585e6}


def config_path(width):
    name = 'mobilenet-v2' if width == '1.0' else f'mobilenet-v2-w{width}'
    return osp.join(ROOT, 'configs/mobilenet_v2', f'{name}_8xb32_in1k.py')


@pytest.mark.parametrize('width', sorted(PAPER_MADDS))
def test_classifier_madds_match_the_paper_within_2_percent(width):
    model = build_model(Config.fromfile(config_path(width)))
    result = count_complexity(model, torch.zeros(1, 3, 224, 224), mode='tensor')
    assert abs(result.madds / PAPER_MADDS[width] - 1) < 0.02, result.madds


def test_params_and_groups_of_width_1():
    model = build_model(Config.fromfile(config_path('1.0')))
    result = count_complexity(model, torch.zeros(1, 3, 224, 224), mode='tensor')
    assert result.params == 3_504_872
    assert result.groups['head.fc'] == dict(params=1_281_000, madds=1_280_000)
    assert sum(g['params'] for g in result.groups.values()) == result.params
    # the stem: 112x112 outputs x 32 channels x 3x3x3
    assert result.groups['backbone.conv1']['madds'] == 112 * 112 * 32 * 27


# The paper's Table 7: Mobile DeepLabv3 on the 320-channel map at output stride 16,
# 21 classes, measured at DeepLab's 513x513 crop with TensorFlow's atrous convolution.
TABLE_7 = {'': (4.52e6, 5.8e9), '-noaspp': (2.11e6, 2.75e9)}


@pytest.mark.parametrize('variant', sorted(TABLE_7))
def test_mobile_deeplabv3_matches_table_7_within_2_percent(variant):
    path = osp.join(
        ROOT,
        'configs/mobile_deeplabv3',
        f'mobilenet-v2-os16_mobile-deeplabv3{variant}_4xb4-40k_voc12aug-512x512.py',
    )
    model = build_model(Config.fromfile(path))
    result = count_complexity(model, torch.zeros(1, 3, 513, 513), tf_atrous=True, mode='tensor')
    params, madds = TABLE_7[variant]
    assert abs(result.params / params - 1) < 0.02, result.params
    assert abs(result.madds / madds - 1) < 0.02, result.madds


def test_tf_atrous_counts_dilated_convs_over_outputs_padded_to_the_rate():
    conv = torch.nn.Conv2d(4, 8, 3, padding=6, dilation=6, bias=False)
    plain = count_complexity(conv, torch.zeros(1, 4, 33, 33))
    padded = count_complexity(conv, torch.zeros(1, 4, 33, 33), tf_atrous=True)
    assert plain.madds == 33 * 33 * 8 * 4 * 9
    assert padded.madds == 36 * 36 * 8 * 4 * 9
