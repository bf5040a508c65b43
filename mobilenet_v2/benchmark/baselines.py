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


def cityscapes_majority_miou(data_root: str) -> float:
    """``majority_class_miou`` of a Cityscapes-layout set (19 train ids)."""

    def labels(split):
        pattern = osp.join(data_root, 'gtFine', split, '*', '*_gtFine_labelTrainIds.png')
        return (np.asarray(Image.open(p)) for p in sorted(glob.glob(pattern)))

    return majority_class_miou(labels('train'), labels('val'), num_classes=19)
