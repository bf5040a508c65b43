from .backbone import MobileNetV2, OutputSpec
from .blocks import InvertedResidual

__all__ = ['MobileNetV2', 'OutputSpec', 'InvertedResidual']
