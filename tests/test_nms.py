"""Class-aware NMS in exported graphs (mobilenet_v2/deployment/nms.py): the same boxes as
torchvision's batched_nms in ONNX Runtime and OpenVINO, per class and per image."""

import pytest
import torch
import torchvision
from mmdet.structures import DetDataSample

from mobilenet_v2.deployment import OpenVinoModel, OrtModel, export_onnx
from mobilenet_v2.deployment.check import match_detections
from mobilenet_v2.deployment.nms import CUSTOM_TRANSLATIONS, batched_nms

from .test_deployment import RUNTIMES, images, toy_model


class NmsOnly(torch.nn.Module):
    """batched_nms on boxes packed in the image tensor: (1, 1, K, 6) holds x1 y1 x2 y2,
    score, group per row (the runtimes' wrappers take one float input)."""

    def forward(self, packed):
        rows = packed[0, 0]
        keep = batched_nms(rows[:, :4], rows[:, 4], rows[:, 5].long(), 0.45)
        return keep, rows[keep, 4]


def export_nms(path):
    rows = torch.tensor([[0.0, 0, 10, 10, 0.9, 0], [1, 1, 11, 11, 0.8, 1]]).view(1, 1, 2, 6)
    program = torch.onnx.export(
        NmsOnly(),
        (rows,),
        dynamo=True,
        input_names=['images'],
        dynamic_shapes={'packed': {2: torch.export.Dim('k', min=1)}},
        custom_translation_table=CUSTOM_TRANSLATIONS,
        verbose=False,
    )
    program.save(path)


def packed(boxes, scores, groups):
    return torch.cat([boxes, scores[:, None], groups[:, None].float()], 1)[None, None]


@pytest.fixture(scope='module')
def nms_graph(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('nms') / 'nms.onnx')
    export_nms(path)
    return path


def test_overlapping_boxes_are_suppressed_within_a_group_only(nms_graph):
    boxes = torch.tensor(
        [
            [0.0, 0, 10, 10],  # kept: the best of group 0
            [1, 1, 11, 11],  # IoU 0.68 with it, group 0: suppressed
            [1, 1, 11, 11],  # the same box in group 1 (another class or image): kept
            [20, 20, 30, 30],  # group 0, overlapping nothing: kept
        ]
    )
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    groups = torch.tensor([0, 0, 1, 0])
    assert batched_nms(boxes, scores, groups, 0.45).tolist() == [0, 2, 3]
    for runtime in RUNTIMES:
        keep, kept_scores = runtime(nms_graph)(packed(boxes, scores, groups))
        assert keep.tolist() == [0, 2, 3], runtime
        assert kept_scores.tolist() == pytest.approx([0.9, 0.7, 0.6])


def test_thousands_of_boxes_keep_torchvisions_set_in_descending_score(nms_graph):
    g = torch.Generator().manual_seed(0)
    corner = torch.rand(3000, 2, generator=g) * 300
    boxes = torch.cat([corner, corner + 5 + torch.rand(3000, 2, generator=g) * 60], 1)
    scores = torch.randperm(3000, generator=g).float() / 3000 + 0.02  # no ties
    groups = torch.randint(0, 160, (3000,), generator=g)  # 80 classes x 2 images
    ref = torchvision.ops.batched_nms(boxes, scores, groups, 0.45)
    assert 300 < len(ref) < 3000  # NMS suppressed some, not all
    for runtime in RUNTIMES:
        keep, _ = runtime(nms_graph)(packed(boxes, scores, groups))
        assert keep.tolist() == ref.tolist(), runtime


def test_detector_graph_keeps_each_images_boxes_and_none_over_a_high_threshold(tmp_path):
    cfg, model = toy_model('ssdlite-paper_mobilenetv2_toy-coco.py')
    for conv in model.bbox_head.cls_convs.modules():  # spread the scores apart
        if isinstance(conv, torch.nn.Conv2d):
            torch.nn.init.normal_(conv.weight, std=0.05)
    path = str(tmp_path / 'det.onnx')
    wrapper = export_onnx(cfg, model, path, (160, 160), dynamic_batch=True)
    x = torch.cat([images(1, 160, 160, seed=1), images(1, 160, 160, seed=2).flip(-1)])
    sample = DetDataSample(
        metainfo=dict(img_shape=(160, 160), ori_shape=(160, 160), scale_factor=(1.0, 1.0))
    )
    with torch.no_grad():
        refs = model.predict((x - wrapper.mean) / wrapper.std, [sample, sample.clone()], False)
    for runtime in (OrtModel, OpenVinoModel):
        boxes, scores, labels, batch_index = runtime(path)(x)
        for i, ref in enumerate(refs):
            ref, mine = ref.pred_instances, batch_index == i
            assert len(ref) > 0
            m = match_detections(
                ref.bboxes, ref.scores, ref.labels, boxes[mine], scores[mine], labels[mine]
            )
            assert m['count'] == m['count_ref'] and m['unmatched'] == 0, (runtime, i, m)
            assert m['min_iou'] >= 0.99 and m['max_score_diff'] <= 1e-4, (runtime, i, m)
    model.bbox_head.test_cfg.score_thr = 1.0  # softmax scores never exceed it: no box
    export_onnx(cfg, model, path, (160, 160), dynamic_batch=True)
    for runtime in (OrtModel, OpenVinoModel):
        boxes, scores, labels, batch_index = runtime(path)(x)
        assert boxes.shape == (0, 4) and len(scores) == len(labels) == len(batch_index) == 0
