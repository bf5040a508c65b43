"""One MobileNetV2 class, built by mmseg, mmdet and mmpretrain from their own scopes, and
state-dict compatible with each toolbox's own MobileNetV2."""

import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mobilenet_v2.models import MobileNetV2
from mobilenet_v2.models.converters import mmdet_to_ours, ours_to_mmdet

from .conftest import ROOT

OURS = dict(type='mobilenet_v2.MobileNetV2', widen_factor=0.35)


def build_in_scope(scope, cfg):
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(cfg)


def test_mmseg_encoder_decoder_builds_our_backbone():
    model = build_in_scope(
        'mmseg',
        dict(
            type='EncoderDecoder',
            backbone=dict(OURS, out_indices=(6,), output_stride=8),
            decode_head=dict(
                type='FCNHead',
                in_channels=112,
                channels=16,
                num_convs=1,
                num_classes=5,
                norm_cfg=dict(type='BN'),
            ),
        ),
    )
    assert type(model.backbone) is MobileNetV2
    logits = model.eval()(torch.randn(1, 3, 64, 64), mode='tensor')
    assert logits.shape == (1, 5, 8, 8)


def test_mmdet_ssdlite_detector_builds_our_backbone():
    import mmdet

    cfg = Config.fromfile(
        osp.join(
            osp.dirname(mmdet.__file__),
            '.mim',
            'configs',
            'ssd',
            'ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py',
        )
    )
    cfg.model.backbone.type = 'mobilenet_v2.MobileNetV2'
    model = build_in_scope('mmdet', cfg.model)
    assert type(model.backbone) is MobileNetV2
    cls_scores, bbox_preds = model.eval()(torch.randn(1, 3, 320, 320), mode='tensor')
    assert [s.shape[-1] for s in cls_scores] == [20, 10, 5, 3, 2, 1]


def test_mmpretrain_classifier_config_builds_our_backbone():
    from mobilenet_v2.apis import build_model

    cfg = Config.fromfile(osp.join(ROOT, 'configs/mobilenet_v2/mobilenet-v2_8xb32_in1k.py'))
    model = build_model(cfg)
    assert type(model.backbone) is MobileNetV2
    assert model(torch.randn(1, 3, 64, 64), mode='tensor').shape == (1, 1000)


def assert_same_features(theirs, ours, size=64):
    x = torch.randn(2, 3, size, size)
    theirs.eval()  # the toolboxes' train() overrides return None
    expected = theirs(x)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for a, b in zip(expected, ours.eval()(x)):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def randomise_bn(model):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


@pytest.mark.parametrize(
    'kwargs',
    [
        dict(out_indices=(1, 2, 4, 6)),
        dict(
            out_indices=(1, 2, 4, 6), strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4)
        ),
    ],
)
def test_mmseg_state_dict_loads_strictly_and_gives_the_same_features(kwargs):
    from mmseg.models.backbones import MobileNetV2 as MMSegMobileNetV2

    theirs = MMSegMobileNetV2(widen_factor=0.35, **kwargs)
    randomise_bn(theirs)
    ours = MobileNetV2(widen_factor=0.35, **kwargs)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    assert_same_features(theirs, ours)


def test_mmpretrain_state_dict_loads_strictly_and_gives_the_same_features():
    from mmpretrain.models.backbones import MobileNetV2 as MMPretrainMobileNetV2

    theirs = MMPretrainMobileNetV2(widen_factor=1.4, out_indices=(2, 7))
    randomise_bn(theirs)
    ours = MobileNetV2(widen_factor=1.4, out_indices=(2, 7))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    assert_same_features(theirs, ours)


def test_mmdet_state_dict_converts_and_gives_the_same_features():
    from mmdet.models.backbones import MobileNetV2 as MMDetMobileNetV2

    theirs = MMDetMobileNetV2(widen_factor=0.35, out_indices=(4, 7))
    randomise_bn(theirs)
    ours = MobileNetV2(widen_factor=0.35, out_indices=(4, 7))
    prefixed = {f'backbone.{k}': v for k, v in theirs.state_dict().items()}
    converted = {k[len('backbone.') :]: v for k, v in mmdet_to_ours(prefixed).items()}
    ours.load_state_dict(converted, strict=True)
    assert_same_features(theirs, ours)
    assert list(ours_to_mmdet(mmdet_to_ours(prefixed))) == list(prefixed)
