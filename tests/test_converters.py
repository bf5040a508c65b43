import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mobilenet_v2.models.converters import torchvision_to_ours

from .conftest import ROOT
from .test_toolboxes import randomise_bn


def test_torchvision_weights_convert_to_equal_logits_at_224():
    torch.manual_seed(0)
    theirs = torchvision.models.mobilenet_v2(weights=None)
    randomise_bn(theirs)
    cfg = Config.fromfile(f'{ROOT}/configs/_base_/models/mobilenet-v2_in1k.py')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ours = MODELS.build(cfg.model)
    missing, unexpected = ours.load_state_dict(
        torchvision_to_ours(theirs.state_dict()), strict=False
    )
    assert not unexpected and all(k.startswith('data_preprocessor') for k in missing)
    x = torch.randn(2, 3, 224, 224)
    expected = theirs.eval()(x)
    torch.testing.assert_close(ours.eval()(x, mode='tensor'), expected, rtol=0, atol=1e-5)


def test_a_backbone_only_mmdet_state_dict_converts_every_key():
    from mmdet.models.backbones import MobileNetV2 as MMDetMobileNetV2

    from mobilenet_v2.models import MobileNetV2
    from mobilenet_v2.models.converters import mmdet_to_ours

    theirs = MMDetMobileNetV2(out_indices=(7,)).state_dict()
    ours = MobileNetV2(out_indices=(7,))
    ours.load_state_dict(mmdet_to_ours(theirs), strict=True)  # all 312 keys, no leftovers


def test_an_unknown_mmdet_layout_is_refused_listing_its_keys():
    import pytest

    from mobilenet_v2.models.converters import mmdet_to_ours

    with pytest.raises(KeyError, match='could not be mapped.*stage9.0.expand_conv'):
        mmdet_to_ours({'backbone.stage9.0.expand_conv.conv.weight': torch.zeros(1)})


def test_mmdet_keys_of_blocks_mobilenet_v2_lacks_are_refused_by_name():
    import pytest

    from mobilenet_v2.models.converters import mmdet_to_ours

    for key in ('layer9.0.expand_conv.conv.weight', 'layer1.5.depthwise_conv.conv.weight'):
        with pytest.raises(KeyError, match=f'blocks MobileNetV2 does not have.*{key}'):
            mmdet_to_ours({key: torch.zeros(1)})


def test_a_file_that_is_no_checkpoint_is_one_line_naming_it(tmp_path):
    import pytest

    from mobilenet_v2.compat import UnsafeCheckpointError, safe_torch_load

    path = tmp_path / 'notes.pth'
    path.write_bytes(b'\x89PNG\r\n\x1a\n not a checkpoint')
    with pytest.raises(UnsafeCheckpointError, match=f'cannot read checkpoint {path}'):
        safe_torch_load(str(path))
