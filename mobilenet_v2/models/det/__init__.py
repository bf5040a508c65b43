from .anchor_generator import SSDLiteAnchorGenerator
from .ssdlite_head import SSDLiteHead

__all__ = ['SSDLiteAnchorGenerator', 'SSDLiteHead']
