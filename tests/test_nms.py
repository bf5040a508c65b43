"""Class-aware NMS per image in exported graphs (mobilenet_v2/deployment/nms.py): the same
boxes as torchvision's batched_nms in ONNX Runtime and OpenVINO, per class and image."""

import pytest
import torch
import torchvision

from mobilenet_v2.deployment import OpenVinoModel, OrtModel
from mobilenet_v2.deployment.nms import CUSTOM_TRANSLATIONS, NOT_A_CANDIDATE, multiclass_nms

from .test_deployment import RUNTIMES

NUM_CLASSES = 80


class NmsOnly(torch.nn.Module):
    """multiclass_nms on boxes packed in the image tensor: (N, 1, K, 6) holds x1 y1 x2 y2,
    score, label per row (the runtimes' wrappers take one float input)."""

    def __init__(self, iou_threshold=0.45):
        super().__init__()
        self.iou_threshold = iou_threshold

    def forward(self, packed):
        rows = packed[:, 0]
        labels = rows[..., 5].long()
        keep = multiclass_nms(rows[..., :4], rows[..., 4], labels, NUM_CLASSES, self.iou_threshold)
        return keep, rows[..., 4].reshape(-1)[keep]


def export_nms(path, iou_threshold=0.45):
    rows = torch.tensor([[0.0, 0, 10, 10, 0.9, 0], [1, 1, 11, 11, 0.8, 1]]).expand(2, 1, 2, 6)
    program = torch.onnx.export(
        NmsOnly(iou_threshold),
        (rows,),
        dynamo=True,
        input_names=['images'],
        dynamic_shapes={'packed': {0: torch.export.Dim('n'), 2: torch.export.Dim('k')}},
        custom_translation_table=CUSTOM_TRANSLATIONS,
        verbose=False,
    )
    program.save(path)


def packed(boxes, scores, labels):
    return torch.cat([boxes, scores[..., None], labels[..., None].float()], -1)[:, None]


@pytest.fixture(scope='module')
def nms_graph(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('nms') / 'nms.onnx')
    export_nms(path)
    return path


def test_overlapping_boxes_are_suppressed_within_a_class_of_an_image_only(nms_graph):
    boxes = torch.tensor(
        [
            [0.0, 0, 10, 10],  # kept: the best of class 0
            [1, 1, 11, 11],  # IoU 0.68 with it, class 0: suppressed
            [1, 1, 11, 11],  # the same box in class 1: kept
            [20, 20, 30, 30],  # class 0, overlapping nothing: kept
            [20, 20, 30, 30],  # not a candidate: never kept
        ]
    ).expand(2, -1, -1)
    scores = torch.tensor([[0.9, 0.8, 0.7, 0.6, NOT_A_CANDIDATE]] * 2)
    scores[1] -= 0.05  # the second image: the same boxes, each scoring a little less
    labels = torch.tensor([0, 0, 1, 0, 0]).expand(2, -1)
    # both images keep theirs (a box suppresses none in another image), by score
    expected = [0, 5, 2, 7, 3, 8]
    assert multiclass_nms(boxes, scores, labels, NUM_CLASSES, 0.45).tolist() == expected
    for runtime in RUNTIMES:
        keep, kept_scores = runtime(nms_graph)(packed(boxes, scores, labels))
        assert keep.tolist() == expected, runtime
        assert kept_scores.tolist() == pytest.approx([0.9, 0.85, 0.7, 0.65, 0.6, 0.55])


def test_equal_scores_come_in_the_graphs_order_and_no_image_keeps_nothing(nms_graph):
    """Break-it, session 7: eager ordered tied boxes as torchvision left them, ONNX
    Runtime by image, class and box, so a max_per_img cut among ties kept different
    boxes."""
    boxes = torch.tensor([[[0.0, 0, 10, 10], [20, 20, 30, 30]]])
    scores, labels = torch.tensor([[0.5, 0.5]]), torch.tensor([[1, 0]])
    assert multiclass_nms(boxes, scores, labels, NUM_CLASSES, 0.45).tolist() == [1, 0]
    assert OrtModel(nms_graph)(packed(boxes, scores, labels))[0].tolist() == [1, 0]
    # OpenVINO keeps both, in an order of its own: its TopK is not stable, and stable
    # ones made SSDLite's toy end to end twice as slow (docs/troubleshooting.md)
    assert sorted(OpenVinoModel(nms_graph)(packed(boxes, scores, labels))[0].tolist()) == [0, 1]
    # a batch of no images (the graph takes none: the runtimes' batch is at least 1)
    none = multiclass_nms(boxes[:0], scores[:0], labels[:0], NUM_CLASSES, 0.45)
    assert none.shape == (0,) and none.dtype == torch.int64


@pytest.mark.parametrize(
    'threshold, second, over',  # over: the second box at IoU just over the threshold
    [
        (0.45, [0.0, 0, 4.5, 10], [0.0, 0, 4.51, 10]),  # float32(0.45) < 0.45
        (0.6, [0.0, 0, 6, 10], [0.0, 0, 6.01, 10]),  # float32(0.6) > 0.6
        (0.0, [10.0, 0, 20, 10], [9.99, 0, 20, 10]),  # touching: IoU 0
    ],
)
def test_a_box_at_exactly_the_threshold_is_kept_everywhere(threshold, second, over, tmp_path):
    """Break-it, sessions 6 and 9: IoU exactly float32(threshold) (integer corners make it
    possible). ONNX suppresses above the threshold, in float32; OpenVINO suppressed at it
    and flushed the next float32 above 0 to 0 (runtime._as_onnx_defines); torchvision
    compared float32 IoUs with the threshold in float64 (nms.multiclass_nms)."""
    path = str(tmp_path / 'nms.onnx')
    export_nms(path, threshold)
    boxes = torch.tensor([[[0.0, 0, 10, 10], second]])
    scores, labels = torch.tensor([[0.9, 0.8]]), torch.tensor([[0, 0]])
    iou = torchvision.ops.box_iou(boxes[0, :1], boxes[0, 1:]).item()
    assert iou == torch.tensor(threshold, dtype=torch.float32).item()
    assert multiclass_nms(boxes, scores, labels, NUM_CLASSES, threshold).tolist() == [0, 1]
    wider = torch.tensor([[[0.0, 0, 10, 10], over]])
    assert multiclass_nms(wider, scores, labels, NUM_CLASSES, threshold).tolist() == [0]
    for runtime in map(lambda graph: graph(path), RUNTIMES):
        assert runtime(packed(boxes, scores, labels))[0].tolist() == [0, 1], runtime
        assert runtime(packed(wider, scores, labels))[0].tolist() == [0], runtime


def test_thousands_of_boxes_keep_torchvisions_set_in_descending_score(nms_graph):
    g = torch.Generator().manual_seed(0)
    corner = torch.rand(2, 3000, 2, generator=g) * 100
    boxes = torch.cat([corner, corner + 20 + torch.rand(2, 3000, 2, generator=g) * 40], -1)
    scores = torch.randperm(6000, generator=g).float().view(2, 3000) / 6000 + 0.02  # no ties
    scores[:, ::7] = NOT_A_CANDIDATE
    labels = torch.randint(0, 8, (2, 3000), generator=g)  # crowded classes: NMS drops many
    ref = []
    for i in range(2):
        candidates = torch.nonzero(scores[i] >= 0).squeeze(1)
        kept = torchvision.ops.batched_nms(
            boxes[i, candidates], scores[i, candidates], labels[i, candidates], 0.45
        )
        ref += (candidates[kept] + 3000 * i).tolist()
    ref.sort(key=lambda k: -scores.view(-1)[k])
    assert 1000 < len(ref) < 4000  # of 5142 candidates: NMS kept some, not all
    assert multiclass_nms(boxes, scores, labels, NUM_CLASSES, 0.45).tolist() == ref
    for runtime in RUNTIMES:
        keep, _ = runtime(nms_graph)(packed(boxes, scores, labels))
        assert keep.tolist() == ref, runtime
