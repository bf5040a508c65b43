"""Toy data in the official formats (ImageNet folders, Cityscapes, ADE20K, COCO), and the
baselines a trained model must beat on them."""

from .baselines import layout_majority_miou, majority_class_miou, prior_box_coco_map
from .toy_coco import CLASSES as TOY_COCO_CLASSES
from .toy_coco import generate_toy_coco
from .toy_imagenet import CLASSES as TOY_IMAGENET_CLASSES
from .toy_imagenet import generate_toy_imagenet
from .toy_segmentation import generate_toy_ade20k, generate_toy_cityscapes
from .transforms import DataError, LoadCheckedAnnotations

__all__ = [
    'DataError',
    'LoadCheckedAnnotations',
    'TOY_COCO_CLASSES',
    'TOY_IMAGENET_CLASSES',
    'generate_toy_coco',
    'generate_toy_imagenet',
    'generate_toy_ade20k',
    'generate_toy_cityscapes',
    'layout_majority_miou',
    'majority_class_miou',
    'prior_box_coco_map',
]
