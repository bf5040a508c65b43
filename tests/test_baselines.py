import numpy as np

from mobilenet_v2.datasets import majority_class_miou


def test_majority_class_miou_on_a_known_answer():
    train = [np.array([[0, 0, 0, 1]])]  # class 0 is the majority
    val = [np.array([[0, 1, 1, 255]]), np.array([[2, 0, 255, 255]])]
    # predicting 0 on the 5 valid pixels: IoU(0) = 2/5, IoU(1) = 0, IoU(2) = 0
    assert abs(majority_class_miou(train, val, num_classes=4) - 100 * (2 / 5) / 3) < 1e-9


def test_ade20k_layout_baseline_ignores_other_like_reduce_zero_label(tmp_path):
    import os

    from PIL import Image

    from mobilenet_v2.datasets import layout_majority_miou

    for split, label in (('training', [[1, 1, 0, 2]]), ('validation', [[1, 2, 0, 0]])):
        folder = tmp_path / 'ADEChallengeData2016' / 'annotations' / split
        os.makedirs(folder)
        Image.fromarray(np.array(label, np.uint8)).save(folder / 'ADE_x_00000001.png')
    # ADE id 1 (wall) is the majority; on val 2 valid pixels: IoU(wall) = 1/2, IoU(id 2) = 0
    assert abs(layout_majority_miou(str(tmp_path), 'ade20k') - 100 * 0.5 / 2) < 1e-9


def _coco(path, images, boxes):
    import json

    with open(path, 'w') as f:
        json.dump(
            dict(
                images=[dict(id=i, width=w, height=h) for i, (w, h) in enumerate(images, 1)],
                annotations=[
                    dict(id=n, image_id=i, category_id=1, bbox=b, area=b[2] * b[3], iscrowd=0)
                    for n, (i, b) in enumerate(boxes, 1)
                ],
                categories=[dict(id=1, name='rectangle')],
            ),
            f,
        )
    return str(path)


def test_prior_box_baseline_scores_its_mean_box_and_nothing_else(tmp_path):
    from mobilenet_v2.datasets import prior_box_coco_map

    # training boxes of one class average to [20, 20, 20, 20] in a 100x100 image
    train = _coco(
        tmp_path / 'train.json', [(100, 100)], [(1, [10, 10, 20, 20]), (1, [30, 30, 20, 20])]
    )
    # val: the prior scaled to 200x200 ([40, 40, 40, 40]) is exact in image 1, misses in 2
    val = _coco(
        tmp_path / 'val.json',
        [(200, 200), (200, 200)],
        [(1, [40, 40, 40, 40]), (2, [150, 150, 40, 40])],
    )
    # one of two objects found, by one of two equally scored detections: AP 50 (101-point)
    result = prior_box_coco_map(train, val)
    assert abs(result['bbox_mAP_50'] - 100 * 51 / 101) < 1e-6, result
