"""The paper's Mobile DeepLabv3 head (section 6.3, Table 7)."""

from mmcv.cnn import ConvModule
from mmseg.models.decode_heads import ASPPHead

from ...registry import MODELS


@MODELS.register_module()
class MobileASPPHead(ASPPHead):
    """DeepLabv3's head as the paper builds it on MobileNetV2's 320-channel map.

    mmseg's ASPPHead with its 3x3 bottleneck replaced by DeepLabv3's 1x1 projection of
    the concatenated branches. ``dilations=(1, 6, 12, 18)`` is the ASPP variant (a 1x1
    conv, three 3x3 atrous convs and image pooling); ``dilations=(1, )`` the paper's
    cheaper variant without ASPP (a 1x1 conv and image pooling only).
    """

    def __init__(self, dilations=(1, 6, 12, 18), **kwargs):
        super().__init__(dilations=dilations, **kwargs)
        self.bottleneck = ConvModule(
            (len(dilations) + 1) * self.channels,
            self.channels,
            1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg,
        )
