import numpy as np

from mobilenet_v2.benchmark import majority_class_miou


def test_majority_class_miou_on_a_known_answer():
    train = [np.array([[0, 0, 0, 1]])]  # class 0 is the majority
    val = [np.array([[0, 1, 1, 255]]), np.array([[2, 0, 255, 255]])]
    # predicting 0 on the 5 valid pixels: IoU(0) = 2/5, IoU(1) = 0, IoU(2) = 0
    assert abs(majority_class_miou(train, val, num_classes=4) - 100 * (2 / 5) / 3) < 1e-9
