from .toy_imagenet import CLASSES as TOY_IMAGENET_CLASSES
from .toy_imagenet import generate_toy_imagenet

__all__ = ['TOY_IMAGENET_CLASSES', 'generate_toy_imagenet']
