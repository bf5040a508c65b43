"""The config's test set through a deployed graph (or its PyTorch twin), scored by the
toolbox's own evaluator: top-1, mIoU or COCO box AP of exactly what users deploy.

Images come from the config's test pipeline (BGR uint8, as the toolboxes load them),
are flipped to RGB, resized to the graph's input size and run; predictions are mapped
back to each image's original size (segmentation logits resized bilinearly as mmseg
does, boxes scaled) before the evaluator sees them.
"""

from typing import Callable, Dict, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.structures import InstanceData, PixelData

from ..apis.runner import quiet_console


def _predict(scope, outputs, sample, shape):
    ori_h, ori_w = sample.ori_shape
    if scope == 'mmpretrain':
        scores = outputs[0][0]
        sample.set_pred_score(scores).set_pred_label(scores.argmax(0, keepdim=True))
    elif scope == 'mmseg':
        logits = F.interpolate(outputs[0], size=(ori_h, ori_w), mode='bilinear')
        sample.pred_sem_seg = PixelData(data=logits[0].argmax(0, keepdim=True))
    else:
        boxes, scores, labels, batch_index = outputs
        keep = batch_index == 0
        scale = torch.tensor([ori_w / shape[1], ori_h / shape[0]] * 2)
        sample.pred_instances = InstanceData(
            bboxes=boxes[keep] * scale, scores=scores[keep], labels=labels[keep]
        )
    return sample


def evaluate_deployed(
    cfg: Config, run: Callable, shape: Tuple[int, int], seg_output: str = 'logits'
) -> Dict[str, float]:
    """Metrics of ``run`` ((1, 3, H, W) float RGB -> the graph's outputs, as tuple) over
    the config's test set, one image at a time. Segmentation needs ``logits`` output."""
    scope = cfg.default_scope
    init_default_scope(scope)
    quiet_console(MMLogger.get_current_instance())  # the Runner's notices, as in test.py
    loader_cfg = cfg.test_dataloader.copy()
    loader_cfg.batch_size = 1
    loader = Runner.build_dataloader(loader_cfg)
    evaluator = Evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = loader.dataset.metainfo
    for batch in loader:
        image = batch['inputs'][0].flip(0).float()[None]  # BGR to RGB
        image = F.interpolate(image, size=shape, mode='bilinear', align_corners=False)
        with torch.no_grad():
            outputs = run(image)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        sample = _predict(scope, outputs, batch['data_samples'][0], shape)
        evaluator.process(data_samples=[sample], data_batch=batch)
    return evaluator.evaluate(len(loader.dataset))
