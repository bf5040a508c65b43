"""SSDLite's anchors as the paper's TF implementation lays them out."""

from typing import List

import torch
from mmdet.models.task_modules.prior_generators import SSDAnchorGenerator

from ...registry import TASK_UTILS


@TASK_UTILS.register_module()
class SSDLiteAnchorGenerator(SSDAnchorGenerator):
    """SSD anchors with the TF Object Detection API's ``reduce_boxes_in_lowest_layer``.

    The first level gets three boxes, a square of half the level's base size and the
    base size at aspect ratios 2 and 1/2, instead of SSDAnchorGenerator's
    2 + 2 * len(ratios); the other levels are unchanged. On the 576-channel stride-16
    map this is the largest part of the SSDLite head's cost.
    """

    def gen_base_anchors(self) -> List[torch.Tensor]:
        anchors = super().gen_base_anchors()
        base_size, center, one = self.base_sizes[0], self.centers[0], torch.Tensor([1.0])
        square = self.gen_single_level_base_anchors(base_size / 2, one, one, center=center)
        oblong = self.gen_single_level_base_anchors(
            base_size, one, torch.Tensor([2.0, 0.5]), center=center
        )
        anchors[0] = torch.cat([square, oblong])
        return anchors
