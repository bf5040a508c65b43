"""What a trivial predictor scores, to read a toy result against."""

import glob
import os.path as osp
from typing import Iterable

import numpy as np
from PIL import Image


def majority_class_miou(
    train_labels: Iterable[np.ndarray],
    val_labels: Iterable[np.ndarray],
    num_classes: int,
    ignore_index: int = 255,
) -> float:
    """mIoU (in %) of predicting the most frequent training class at every pixel.

    Computed as mmseg's IoUMetric does: intersections and unions summed over the whole
    split, classes whose union is empty left out of the mean.
    """
    counts = np.zeros(num_classes, np.int64)
    for label in train_labels:
        valid = label[label != ignore_index]
        counts += np.bincount(valid.ravel(), minlength=num_classes)[:num_classes]
    majority = int(counts.argmax())
    gt_area = np.zeros(num_classes, np.int64)
    for label in val_labels:
        valid = label[label != ignore_index]
        gt_area += np.bincount(valid.ravel(), minlength=num_classes)[:num_classes]
    union = gt_area.copy()
    union[majority] = gt_area.sum()  # every valid pixel is predicted as the majority class
    iou = np.zeros(num_classes)
    iou[majority] = gt_area[majority] / union[majority]
    return float(100 * iou[union > 0].mean())


# (label files of the train split, of the val split, classes, reduce_zero_label) per layout
LAYOUTS = {
    'cityscapes': (
        'gtFine/train/*/*_gtFine_labelTrainIds.png',
        'gtFine/val/*/*_gtFine_labelTrainIds.png',
        19,
        False,
    ),
    'ade20k': (
        'ADEChallengeData2016/annotations/training/*.png',
        'ADEChallengeData2016/annotations/validation/*.png',
        150,
        True,
    ),
}


def layout_majority_miou(data_root: str, layout: str) -> float:
    """``majority_class_miou`` of a set in mmseg's Cityscapes or ADE20K layout."""
    train_pattern, val_pattern, num_classes, reduce_zero_label = LAYOUTS[layout]

    def labels(pattern):
        for path in sorted(glob.glob(osp.join(data_root, pattern))):
            label = np.asarray(Image.open(path))
            if reduce_zero_label:  # as mmseg's LoadAnnotations: 0 (other) ignored
                label = np.where(label == 0, 255, label.astype(np.int64) - 1)
            yield label

    return majority_class_miou(labels(train_pattern), labels(val_pattern), num_classes)
