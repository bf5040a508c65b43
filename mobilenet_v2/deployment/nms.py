"""Class-aware NMS as one operator: torchvision's ``batched_nms`` in PyTorch, ONNX's
``NonMaxSuppression`` with one score row per group in an exported graph.

mmdet's ``batched_nms`` (mmcv/ops/nms.py) offsets each class's boxes so that they never
overlap and runs one NMS over all of them, up to 10000 boxes. In an ONNX graph that one
NMS compares every box with every other: with SSDLite 320's ~5000 candidates (six
levels of up to ``nms_pre`` 1000; random weights scaled by
``analysis/detection_load.py``) ONNX Runtime took 19 ms for it, more than the
network (13 ms). ``NonMaxSuppression`` compares boxes within a class only when given
one score row per class: 3.2 ms on 5000 boxes in 80 classes (measured on this 2-core
CPU, ``/tmp`` prototype of this module). Both keep the same boxes in PyTorch and ONNX
Runtime, which suppress at IoU > threshold; OpenVINO suppresses at IoU >= threshold,
so a pair exactly at it (float32(0.45)) keeps one box fewer there
(docs/troubleshooting.md).
"""

import torch
import torchvision


@torch.library.custom_op('mobilenet_v2::batched_nms', mutates_args=())
def batched_nms(
    boxes: torch.Tensor, scores: torch.Tensor, groups: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """Indices (M,) int64 of the boxes (K, 4) x1y1x2y2 that NMS keeps within each group
    (``groups`` (K,) int64: class, or class and image), in descending ``scores`` (K,)."""
    return torchvision.ops.batched_nms(boxes, scores, groups, iou_threshold)


@batched_nms.register_fake
def _batched_nms_fake(boxes, scores, groups, iou_threshold):
    kept = torch.library.get_ctx().new_dynamic_size()
    return boxes.new_empty((kept,), dtype=torch.int64)


def batched_nms_onnx(boxes, scores, groups, iou_threshold: float):
    """ONNX of ``batched_nms``: a (1, G, K) score matrix holding each box's score in its
    group's row and -1 elsewhere (under the score threshold 0: every candidate has a
    softmax score above it), NonMaxSuppression over it, the kept boxes sorted by score."""
    from onnxscript import opset18 as op

    # the group count, 0 without boxes (a -1 joins them: OpenVINO's largest of no
    # values is the largest int64, and a range that long fails to allocate)
    last = op.ReduceMax(op.Concat(groups, op.Constant(value_ints=[-1]), axis=0), keepdims=0)
    count = op.Add(last, op.Constant(value_int=1))
    rows = op.Range(op.Constant(value_int=0), count, op.Constant(value_int=1))
    mine = op.Equal(op.Unsqueeze(groups, [0]), op.Unsqueeze(rows, [1]))  # (G, K)
    matrix = op.Where(mine, op.Unsqueeze(scores, [0]), op.Constant(value_float=-1.0))
    selected = op.NonMaxSuppression(  # (M, 3): batch, group, box
        op.Unsqueeze(boxes, [0]),
        op.Unsqueeze(matrix, [0]),
        op.Shape(scores),  # at most every box of a group
        op.Constant(value_floats=[iou_threshold]),
        op.Constant(value_floats=[0.0]),
    )
    keep = op.Squeeze(op.Slice(selected, [2], [3], [1]), [1])
    _, order = op.TopK(op.Gather(scores, keep), op.Shape(keep), axis=0, largest=1, sorted=1)
    return op.Gather(keep, order)


CUSTOM_TRANSLATIONS = {torch.ops.mobilenet_v2.batched_nms.default: batched_nms_onnx}
