import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mobilenet_v2.benchmark import build_model, count_complexity

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
