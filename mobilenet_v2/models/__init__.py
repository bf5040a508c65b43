"""The backbone, registered on import. What only one toolbox uses lives in ``det`` (mmdet)
and ``seg`` (mmseg) and is imported by that toolbox's configs (``custom_imports``), so
importing ``mobilenet_v2`` loads neither toolbox."""

from .arch import OutputSpec
from .backbone import MobileNetV2
from .blocks import InvertedResidual

__all__ = ['MobileNetV2', 'OutputSpec', 'InvertedResidual']
