"""What a trivial predictor scores, to read a toy result against."""

import contextlib
import glob
import io
import json
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


def prior_box_coco_map(train_ann_file: str, val_ann_file: str) -> dict:
    """COCO bbox mAP and mAP@0.5 (in %) of a predictor that never looks at the image.

    In every val image it predicts, for each class, that class's mean training box
    (position and size relative to the image) with score 1. Evaluated by pycocotools as
    mmdet's CocoMetric does. Returns ``{'bbox_mAP': ..., 'bbox_mAP_50': ...}``.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with open(train_ann_file) as f:
        train = json.load(f)
    sizes = {image['id']: (image['width'], image['height']) for image in train['images']}
    relative = {}
    for ann in train['annotations']:
        w, h = sizes[ann['image_id']]
        x, y, bw, bh = ann['bbox']
        relative.setdefault(ann['category_id'], []).append((x / w, y / h, bw / w, bh / h))
    prior = {cat: np.mean(boxes, axis=0) for cat, boxes in relative.items()}
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        gt = COCO(val_ann_file)
        detections = [
            dict(
                image_id=image['id'],
                category_id=int(cat),
                bbox=(box * ([image['width'], image['height']] * 2)).tolist(),
                score=1.0,
            )
            for image in gt.dataset['images']
            for cat, box in prior.items()
        ]
        evaluation = COCOeval(gt, gt.loadRes(detections), 'bbox')
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return {'bbox_mAP': 100 * evaluation.stats[0], 'bbox_mAP_50': 100 * evaluation.stats[1]}
