"""A randomly initialised detector made to keep boxes, so that a benchmark times its
post-processing at the load a trained one puts on it.

With random weights every SSD anchor scores all 81 classes alike, about 1/81 = 0.012,
under mmdet's ``score_thr`` 0.02 (mmdet's configs/ssd/ssdlite_mobilenetv2-scratch_
8xb24-600e_coco.py): nothing reaches box decoding or NMS, and end to end times the
network alone (measured on SSDLite 320: 21 ms of eager end to end with no box; 50-60 ms
when every image keeps its 200). How many a trained SSDLite keeps depends on the image;
this times the post-processing at its most, ``max_per_img`` boxes per image.
"""

from typing import Optional

import torch
from mmdet.models.dense_heads import SSDHead
from torch import nn

# the classification logits' standard deviation after scaling: enough to put most
# anchors' best classes over score_thr 0.02 (std 1 already fills max_per_img)
LOGIT_STD = 2.0
# subtracted from the background class's bias: its probability becomes e^-10 of what
# it was, so foreground classes take the anchors' mass as in a trained head
BACKGROUND_SHIFT = 10.0


def last_conv(module: nn.Module) -> nn.Conv2d:
    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    return convs[-1]


@torch.no_grad()
def load_detector(model: nn.Module, shape) -> Optional[str]:
    """Scale the classification layer of each level of ``model``'s SSD head (an
    ``SSDHead``: softmax over ``num_classes`` + background, background last) so that
    its logits on a random image (1, 3, H, W) have standard deviation ``LOGIT_STD``, and
    lower each background logit by ``BACKGROUND_SHIFT``. Weights change in place;
    the network's cost does not. Returns a line saying what was done, for the report.

    A model without an ``SSDHead`` is left alone (None).
    """
    head = getattr(model, 'bbox_head', None)
    if not isinstance(head, SSDHead):  # the export refuses other heads with one line
        return None
    preprocessor = model.data_preprocessor
    image = torch.rand(1, 3, *shape, generator=torch.Generator().manual_seed(0)) * 255
    mean, std = preprocessor.mean.view(1, -1, 1, 1), preprocessor.std.view(1, -1, 1, 1)
    cls_scores, _ = model._forward((image - mean) / std)
    for convs, scores in zip(head.cls_convs, cls_scores):
        layer = last_conv(convs)
        factor = LOGIT_STD / scores.std().clamp(min=1e-12)
        layer.weight.mul_(factor)
        layer.bias.mul_(factor)
        layer.bias.view(-1, head.cls_out_channels)[:, -1] -= BACKGROUND_SHIFT
    return (
        f'random weights keep no box: classification logits scaled to std {LOGIT_STD:g}, '
        f'background lowered by {BACKGROUND_SHIFT:g}, so that post-processing runs at '
        'full load (max_per_img boxes per image)'
    )
