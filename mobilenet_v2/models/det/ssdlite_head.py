"""SSDHead that predicts on mmdet 3.3.0."""

from mmdet.models.dense_heads import SSDHead

from ...registry import MODELS


@MODELS.register_module()
class SSDLiteHead(SSDHead):
    """mmdet's SSDHead (``use_depthwise=True`` makes it SSDLite's head), able to predict.

    mmdet 3.3.0's ``BaseDenseHead._predict_by_feat_single`` reads ``self.loss_cls`` (for
    v3det's custom losses), but SSDHead skips AnchorHead's ``__init__`` and never sets
    it, so every SSD prediction raises ``AttributeError: 'SSDHead' object has no
    attribute 'loss_cls'`` (open-mmlab/mmdetection#11305, #11780). SSD computes its
    classification loss itself; ``loss_cls = None`` makes that check false and prediction
    takes SSD's softmax branch, as before the check was added. Arguments, outputs and
    checkpoint keys are SSDHead's; mmdet's own class is left as it is.
    """

    loss_cls = None
