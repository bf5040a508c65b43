from .anchor_generator import SSDLiteAnchorGenerator

__all__ = ['SSDLiteAnchorGenerator']
