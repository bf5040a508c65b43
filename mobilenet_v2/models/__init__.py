from .backbone import MobileNetV2, OutputSpec
from .blocks import InvertedResidual
from .det import SSDLiteAnchorGenerator, SSDLiteHead
from .seg import MobileASPPHead

__all__ = [
    'MobileNetV2',
    'OutputSpec',
    'InvertedResidual',
    'MobileASPPHead',
    'SSDLiteAnchorGenerator',
    'SSDLiteHead',
]
