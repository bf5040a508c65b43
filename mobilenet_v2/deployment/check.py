"""Comparing a fast path's outputs with the PyTorch model's, per task."""

from typing import Dict, List, Sequence

import torch
from torchvision.ops import box_iou


def flat_tensors(outputs) -> List[torch.Tensor]:
    """The tensors of nested tuples/lists of outputs, in order (detection heads return
    per-level lists)."""
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    return [t for o in outputs for t in flat_tensors(o)]


def match_detections(
    ref_boxes: torch.Tensor,
    ref_scores: torch.Tensor,
    ref_labels: torch.Tensor,
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
) -> Dict[str, float]:
    """Match two detection sets of one image one to one (same label, highest IoU, in
    order of the reference's scores). Boxes (K, 4) x1y1x2y2, scores (K,), labels (K,).

    Returns ``count_ref``, ``count``, ``unmatched`` (reference boxes without a partner),
    ``agree`` (pairs with IoU >= 0.5, COCO's loosest match), ``min_iou`` and
    ``max_score_diff`` over the matched pairs (1.0 and 0.0 when none).
    """
    iou = box_iou(ref_boxes.float(), boxes.float()) if len(boxes) and len(ref_boxes) else None
    used, ious, diffs, unmatched = set(), [], [], 0
    for i in ref_scores.argsort(descending=True).tolist():
        best, best_iou = None, -1.0
        for j in range(len(boxes)):
            if j not in used and labels[j] == ref_labels[i] and iou[i, j] > best_iou:
                best, best_iou = j, float(iou[i, j])
        if best is None:
            unmatched += 1
            continue
        used.add(best)
        ious.append(best_iou)
        diffs.append(abs(float(ref_scores[i]) - float(scores[best])))
    return dict(
        count_ref=len(ref_boxes),
        count=len(boxes),
        unmatched=unmatched,
        agree=sum(iou >= 0.5 for iou in ious),
        min_iou=min(ious, default=1.0),
        max_score_diff=max(diffs, default=0.0),
    )


def rms_error(ref: torch.Tensor, out: torch.Tensor) -> float:
    """The RMS of ``out - ref`` over the RMS of ``ref`` (what benchmark.py holds int8,
    bf16 and fp16 to), in float64."""
    ref, out = ref.double().cpu(), out.double().cpu()
    return ((out - ref).norm() / ref.norm().clamp(min=1e-12)).item()


def compare_outputs(reference, outputs: Sequence[torch.Tensor], names: Sequence[str]) -> str:
    """One line saying how far ``outputs`` are from ``reference`` (the PyTorch
    ``DeployModel``'s), output by output; detections are matched box to box."""
    reference = reference if isinstance(reference, tuple) else (reference,)
    if tuple(names[:3]) == ('boxes', 'scores', 'labels'):
        m = match_detections(*reference[:3], *outputs[:3])
        return (
            f"{m['count']} boxes (PyTorch {m['count_ref']}), {m['unmatched']} unmatched, "
            f"min IoU {m['min_iou']:.4f}, max score difference {m['max_score_diff']:.2g}"
        )
    parts = []
    for name, ref, out in zip(names, reference, outputs):
        if ref.dtype.is_floating_point:
            parts.append(
                f'{name} max |difference| {(ref - out).abs().max().item():.2g} (largest value '
                f'{ref.abs().max().item():.3g}), RMS error {rms_error(ref, out):.2g} of its RMS'
            )
        else:
            parts.append(f'{name} {(ref == out).float().mean().item():.2%} equal')
    return ', '.join(parts)


def decision_agreement(
    references: Sequence[Sequence[torch.Tensor]],
    outputs: Sequence[Sequence[torch.Tensor]],
    names: Sequence[str],
) -> str:
    """One line saying how often two graphs of one model decide alike, call by call (each
    item: one call's outputs as ``OrtModel`` gives them): the top-1 class of each image
    (classification scores (N, K)), each pixel's label (segmentation: the argmax of
    (N, C, H, W) logits, or (N, H, W) labels), each reference box found again
    (detection, batch 1: same label, IoU >= 0.5), beside how many boxes ``outputs`` give
    in all (a box found again says nothing of boxes added)."""
    if tuple(names[:3]) == ('boxes', 'scores', 'labels'):
        matches = [match_detections(*r[:3], *o[:3]) for r, o in zip(references, outputs)]
        found, boxes = sum(m['agree'] for m in matches), sum(m['count_ref'] for m in matches)
        given = sum(m['count'] for m in matches)
        return (
            f'{found} of {boxes} boxes found again (same label, IoU >= 0.5) among {given} '
            f'on {len(references)} images'
        )
    images = sum(len(r[0]) for r in references)
    if names[0] == 'scores':
        same = sum(
            int((r[0].argmax(-1) == o[0].argmax(-1)).sum()) for r, o in zip(references, outputs)
        )
        return f'top-1 class the same on {same} of {images} images'

    def labels(t: torch.Tensor) -> torch.Tensor:
        return t.argmax(1) if t.dtype.is_floating_point else t

    same = sum(int((labels(r[0]) == labels(o[0])).sum()) for r, o in zip(references, outputs))
    pixels = sum(labels(r[0]).numel() for r in references)
    return f'{same / pixels:.2%} of pixels the same label on {images} images'
