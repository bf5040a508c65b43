"""A fix for mmdet 3.3.0's SSDHead, which cannot predict.

``BaseDenseHead._predict_by_feat_single`` reads ``self.loss_cls`` (for v3det's custom
losses), but SSDHead skips AnchorHead's __init__ and never sets it, so every SSD
prediction raises AttributeError (open-mmlab/mmdetection#11305, #11780). SSD computes
its classification loss itself; ``loss_cls = None`` makes that check false and
prediction takes SSD's softmax branch, exactly as before the check was added.
"""

from mmdet.models.dense_heads import SSDHead


def fix_ssd_head_prediction():
    if not hasattr(SSDHead, 'loss_cls'):
        SSDHead.loss_cls = None
