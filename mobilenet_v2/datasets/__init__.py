from .toy_coco import CLASSES as TOY_COCO_CLASSES
from .toy_coco import generate_toy_coco
from .toy_imagenet import CLASSES as TOY_IMAGENET_CLASSES
from .toy_imagenet import generate_toy_imagenet
from .toy_segmentation import generate_toy_ade20k, generate_toy_cityscapes

__all__ = [
    'TOY_COCO_CLASSES',
    'TOY_IMAGENET_CLASSES',
    'generate_toy_coco',
    'generate_toy_imagenet',
    'generate_toy_ade20k',
    'generate_toy_cityscapes',
]
