from .baselines import layout_majority_miou, majority_class_miou, prior_box_coco_map
from .complexity import CONVENTION, Complexity, count_complexity, format_table
from .models import build_model
from .timing import environment, time_inference

__all__ = [
    'CONVENTION',
    'Complexity',
    'count_complexity',
    'format_table',
    'build_model',
    'environment',
    'time_inference',
    'layout_majority_miou',
    'majority_class_miou',
    'prior_box_coco_map',
]
