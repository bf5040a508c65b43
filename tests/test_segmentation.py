"""Our M-V2-D8 models against mmsegmentation's own, built from mmseg's configs."""

import glob
import os.path as osp

import mmseg
import pytest
import torch
from mmengine.config import Config

from mobilenet_v2.apis import build_model

from .conftest import ROOT
from .test_toolboxes import randomise_bn

MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs', 'mobilenet_v2')
METHODS = ('fcn', 'pspnet', 'deeplabv3', 'deeplabv3plus')
OURS = sorted(p for m in METHODS for p in glob.glob(osp.join(ROOT, 'configs', m, '*.py')))


def test_all_eight_mmseg_configs_have_ours():
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(MMSEG_CONFIGS, '*.py')))
    assert sorted(osp.basename(p) for p in OURS) == names and len(names) == 8


@pytest.mark.parametrize('path', OURS, ids=osp.basename)
def test_same_weights_give_mmseg_logits(path):
    theirs = build_model(Config.fromfile(osp.join(MMSEG_CONFIGS, osp.basename(path))))
    ours = build_model(Config.fromfile(path))
    randomise_bn(theirs)
    ours.load_state_dict(theirs.state_dict(), strict=True)  # no missing or unexpected keys
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        torch.testing.assert_close(
            ours(x, mode='tensor'), theirs(x, mode='tensor'), rtol=1e-5, atol=1e-5
        )
