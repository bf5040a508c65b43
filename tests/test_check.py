"""Comparing a fast path's outputs with the reference graph's (mobilenet_v2/deployment/
check.py), on known answers."""

import torch

from mobilenet_v2.deployment.check import decision_agreement


def test_decision_agreement_counts_classes_pixels_and_boxes():
    """Known answers: 2 of 3 top-1 classes, 3 of 4 pixels, 1 of 2 boxes (the other
    moved to IoU 1/3 in one image; a box of another label in the second), and the boxes
    given in all."""
    cls = [
        (torch.tensor([[0.1, 0.9]]),),
        (torch.tensor([[0.8, 0.2]]),),
        (torch.tensor([[1.0, 0]]),),
    ]
    flipped = [
        (torch.tensor([[0.2, 0.7]]),),
        (torch.tensor([[0.3, 0.6]]),),
        (torch.tensor([[1.0, 0]]),),
    ]
    assert decision_agreement(cls, flipped, ['scores']) == 'top-1 class the same on 2 of 3 images'
    logits = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]]])  # (1, 2, 2, 2)
    other = logits.clone()
    other[0, 1, 0, 0] = 2.0  # one pixel's argmax moves to class 1
    assert decision_agreement([(logits,)], [(other,)], ['seg_logits']) == (
        '75.00% of pixels the same label on 1 images'
    )
    labels = logits.argmax(1)
    assert decision_agreement([(labels,)], [(other.argmax(1),)], ['seg_labels']).startswith(
        '75.00%'
    )
    names = ['boxes', 'scores', 'labels', 'batch_index']
    box = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    moved = torch.tensor([[5.0, 0.0, 15.0, 10.0]])  # IoU 50 / 150
    one, zero = torch.tensor([0.9]), torch.tensor([0])
    references = [(box, one, zero), (box, one, zero)]
    outputs = [(box + 0.01, one, zero), (moved, one, zero)]
    assert decision_agreement(references, outputs, names) == (
        '1 of 2 boxes found again (same label, IoU >= 0.5) among 2 on 2 images'
    )
    outputs = [
        (box, one, torch.tensor([1])),
        (torch.cat([box, moved]), one.repeat(2), zero.repeat(2)),
    ]
    assert decision_agreement(references, outputs, names).startswith('1 of 2 boxes found again')
    assert decision_agreement(references, outputs, names).endswith(' among 3 on 2 images')
    # break-it: boxes a graph adds show, where the reference has none
    nothing = (box[:0], one[:0], zero[:0])
    assert decision_agreement([nothing], [(box, one, zero)], names).startswith('0 of 0 boxes')
    assert decision_agreement([nothing], [(box, one, zero)], names).endswith(' among 1 on 1 images')
    # a batch of 2 counts 2 images
    batch = torch.tensor([[0.1, 0.9], [0.8, 0.2]])
    assert decision_agreement([(batch,)], [(batch.flip(0),)], ['scores']) == (
        'top-1 class the same on 0 of 2 images'
    )
