import numpy as np

from mobilenet_v2.benchmark import majority_class_miou


def test_majority_class_miou_on_a_known_answer():
    train = [np.array([[0, 0, 0, 1]])]  # class 0 is the majority
    val = [np.array([[0, 1, 1, 255]]), np.array([[2, 0, 255, 255]])]
    # predicting 0 on the 5 valid pixels: IoU(0) = 2/5, IoU(1) = 0, IoU(2) = 0
    assert abs(majority_class_miou(train, val, num_classes=4) - 100 * (2 / 5) / 3) < 1e-9


def test_ade20k_layout_baseline_ignores_other_like_reduce_zero_label(tmp_path):
    import os

    from PIL import Image

    from mobilenet_v2.benchmark import layout_majority_miou

    for split, label in (('training', [[1, 1, 0, 2]]), ('validation', [[1, 2, 0, 0]])):
        folder = tmp_path / 'ADEChallengeData2016' / 'annotations' / split
        os.makedirs(folder)
        Image.fromarray(np.array(label, np.uint8)).save(folder / 'ADE_x_00000001.png')
    # ADE id 1 (wall) is the majority; on val 2 valid pixels: IoU(wall) = 1/2, IoU(id 2) = 0
    assert abs(layout_majority_miou(str(tmp_path), 'ade20k') - 100 * 0.5 / 2) < 1e-9
