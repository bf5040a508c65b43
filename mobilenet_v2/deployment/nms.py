"""Class-aware NMS per image as one operator: torchvision's ``batched_nms`` image by
image in PyTorch, ONNX's ``NonMaxSuppression`` with a batch and a class dimension in an
exported graph.

mmdet's ``batched_nms`` (mmcv/ops/nms.py) offsets each class's boxes so that they never
overlap and runs one NMS over all of them, up to 10000 boxes. In an ONNX graph that one
NMS compares every box with every other: with SSDLite 320's ~5000 candidates (six
levels of up to ``nms_pre`` 1000; random weights scaled by
``analysis/random_model.py``) ONNX Runtime took 19 ms for it, more than the
network (13 ms). ``NonMaxSuppression`` compares boxes within a class of an image only
when given boxes (N, K, 4) and one score row per class, (N, C, K): 3.2 ms on 5000 boxes
in 80 classes (measured on this 2-core CPU), and linear in the batch (a (1, N x C, N x K)
matrix of all images' candidates together had grown with N squared: batch 32 ran 3.5x
slower per image than eager). PyTorch, ONNX Runtime and OpenVINO keep the same boxes:
all suppress at IoU > threshold (OpenVINO once ``runtime._as_onnx_defines`` gave its
graph ONNX's definition). Boxes of equal score come in the order (image, class, box) in
PyTorch and ONNX Runtime, in an order of its own in OpenVINO, whose TopK is not stable
(docs/troubleshooting.md).
"""

import torch
import torchvision

# what ``multiclass_nms`` takes for "not a candidate": a score under every softmax score
NOT_A_CANDIDATE = -1.0


@torch.library.custom_op('mobilenet_v2::multiclass_nms', mutates_args=())
def multiclass_nms(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    iou_threshold: float,
) -> torch.Tensor:
    """NMS within each class of each image.

    Args:
        boxes: (N, K, 4) x1y1x2y2 of the K candidates of each of N images.
        scores: (N, K) in 0..1; ``NOT_A_CANDIDATE`` for boxes NMS must not keep.
        labels: (N, K) int64 classes in 0..num_classes - 1.
        num_classes: C, the number of foreground classes.
        iou_threshold: boxes of a class overlapping a better one by more are dropped.

    Returns:
        (M,) int64 indices into the N x K candidates (image i's box k is i * K + k) of
        the boxes kept, in descending score.
    """
    n, k = scores.shape
    # the threshold in float32, as ONNX's NonMaxSuppression and mmcv's nms take it:
    # torchvision compares float32 IoUs with a Python float (float32(0.6) > 0.6)
    threshold = torch.tensor(iou_threshold, dtype=torch.float32).item()
    kept = [scores.new_zeros(0, dtype=torch.int64)]
    for i in range(n):  # image by image, as mmdet's predict: group ids stay under C
        candidates = torch.nonzero(scores[i] >= 0).squeeze(1)
        keep = torchvision.ops.batched_nms(
            boxes[i, candidates], scores[i, candidates], labels[i, candidates], threshold
        )
        kept.append(candidates[keep] + i * k)
    kept = torch.cat(kept)
    # equal scores in NonMaxSuppression's order (image, class, box), as the graph's
    # stable TopK leaves them: the same boxes survive a max_per_img cut among ties
    label = labels.reshape(-1)[kept]
    kept = kept[((kept // k * num_classes + label) * k + kept % k).argsort()]
    return kept[scores.reshape(-1)[kept].argsort(descending=True, stable=True)]


@multiclass_nms.register_fake
def _multiclass_nms_fake(boxes, scores, labels, num_classes, iou_threshold):
    kept = torch.library.get_ctx().new_dynamic_size()
    return boxes.new_empty((kept,), dtype=torch.int64)


def multiclass_nms_onnx(boxes, scores, labels, num_classes: int, iou_threshold: float):
    """ONNX of ``multiclass_nms``: a (N, C, K) score matrix holding each box's score in
    its class's row and ``NOT_A_CANDIDATE`` elsewhere, NonMaxSuppression over it with a
    score threshold between the two, the kept boxes sorted by score."""
    from onnxscript import opset18 as op

    classes = op.Constant(value_ints=list(range(num_classes)))
    mine = op.Equal(op.Unsqueeze(labels, [1]), op.Unsqueeze(classes, [0, 2]))  # (N, C, K)
    matrix = op.Where(mine, op.Unsqueeze(scores, [1]), op.Constant(value_float=NOT_A_CANDIDATE))
    count = op.Shape(scores, start=1, end=2)  # K
    selected = op.NonMaxSuppression(  # (M, 3): image, class, box
        boxes,
        matrix,
        count,  # at most every box of a class
        op.Constant(value_floats=[iou_threshold]),
        op.Constant(value_floats=[NOT_A_CANDIDATE / 2]),
    )
    image = op.Squeeze(op.Slice(selected, [0], [1], [1]), [1])
    box = op.Squeeze(op.Slice(selected, [2], [3], [1]), [1])
    flat = op.Add(op.Mul(image, count), box)
    kept_scores = op.Gather(op.Reshape(scores, [-1]), flat)
    _, order = op.TopK(kept_scores, op.Shape(flat), axis=0, largest=1, sorted=1)
    return op.Gather(flat, order)


CUSTOM_TRANSLATIONS = {torch.ops.mobilenet_v2.multiclass_nms.default: multiclass_nms_onnx}
