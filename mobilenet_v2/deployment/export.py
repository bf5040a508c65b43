"""A config's model as one ONNX graph, from raw RGB pixels to the task's final output.

``DeployModel`` wraps the model built from a config with the normalisation of its
data preprocessor and the task's post-processing, all in plain tensor operations that
torch.onnx's dynamo exporter turns into ONNX:

=============== ====================================================================
task            outputs for ``images`` (N, 3, H, W) float32 RGB in 0..255
=============== ====================================================================
classification  ``scores`` (N, num_classes): softmax, as mmpretrain's ``pred_score``
segmentation    ``seg_logits`` (N, num_classes, H, W): resized as mmseg's predict does;
                or ``seg_labels`` (N, H, W) int64 with ``seg_output='labels'``; or
                ``seg_logits`` (N, H, W, num_classes) with ``'logits_nhwc'``
detection       ``boxes`` (K, 4) x1y1x2y2 in input pixels, ``scores`` (K,),
                ``labels`` (K,) int64, ``batch_index`` (K,) int64: mmdet's SSD
                post-processing (softmax, per-level top-k, score threshold, class-aware
                NMS, max per image) with NMS as ONNX's NonMaxSuppression (``nms.py``)
=============== ====================================================================
"""

from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

from ..apis.config import ConfigError
from .nms import CUSTOM_TRANSLATIONS, NOT_A_CANDIDATE, multiclass_nms

# segmentation's end-to-end outputs: class scores (N, C, H, W), labels (N, H, W), or
# class scores channels last (N, H, W, C), where an argmax over classes is fastest
SEG_OUTPUTS = ('logits', 'labels', 'logits_nhwc')
OUTPUT_NAMES = dict(
    mmpretrain=('scores',),
    mmseg=('seg_logits',),
    mmdet=('boxes', 'scores', 'labels', 'batch_index'),
)


# where each toolbox's data preprocessor keeps its BGR-to-RGB switch
CHANNEL_FLAGS = ('channel_conversion', '_channel_conversion', 'to_rgb')  # mmseg, mmdet, mmpretrain


def converts_bgr_to_rgb(preprocessor: nn.Module) -> bool:
    """Whether the toolbox's preprocessor flips the BGR images it is given (the model
    was trained on RGB). Raises ConfigError for a preprocessor that says neither."""
    for flag in CHANNEL_FLAGS:
        if isinstance(getattr(preprocessor, flag, None), bool):
            return getattr(preprocessor, flag)
    raise ConfigError(
        f'{type(preprocessor).__name__} keeps its channel order in none of {CHANNEL_FLAGS}: '
        'cannot tell whether the model expects RGB'
    )


class DeployModel(nn.Module):
    """Pre-processing, network and post-processing of a config's model in one module.

    Args:
        model: The model built from the config (``apis.build_model``), in eval mode.
        scope: The config's ``default_scope``: mmpretrain, mmseg or mmdet.
        input_shape: (H, W) the graph is exported for; detection computes its anchors
            for it.
        seg_output: ``'logits'``, ``'labels'`` or ``'logits_nhwc'`` (segmentation
            only; ``SEG_OUTPUTS``).
        postprocess: False returns the network's raw outputs (classification logits,
            segmentation logits at the head's resolution, detection's per-level class
            scores and box deltas): the benchmark's "forward" scope.

    Raises:
        ConfigError: a scope, model or option this wrapper does not handle.
    """

    def __init__(
        self,
        model: nn.Module,
        scope: str,
        input_shape: Tuple[int, int],
        seg_output: str = 'logits',
        postprocess: bool = True,
    ):
        super().__init__()
        if scope not in OUTPUT_NAMES:
            raise ConfigError(f'cannot export a {scope} model: scopes are {list(OUTPUT_NAMES)}')
        if seg_output not in SEG_OUTPUTS:
            raise ConfigError(f'seg_output must be one of {SEG_OUTPUTS}, got {seg_output!r}')
        self.model, self.scope, self.input_shape = model.eval(), scope, tuple(input_shape)
        self.seg_output, self.postprocess = seg_output, postprocess
        # what runs the network on normalised images (``pt2e.quantize_pt2e`` swaps in
        # the int8 one); None: the model itself
        self.network: Optional[nn.Module] = None
        preprocessor = model.data_preprocessor
        # the toolboxes load BGR and convert when the model was trained on RGB; a model
        # trained on BGR gets the RGB input flipped inside the graph
        self.flip_to_bgr = not converts_bgr_to_rgb(preprocessor)
        self.register_buffer('mean', preprocessor.mean.view(1, -1, 1, 1).clone())
        self.register_buffer('std', preprocessor.std.view(1, -1, 1, 1).clone())
        if scope == 'mmdet' and postprocess:
            self._init_detection()

    @property
    def output_names(self) -> Sequence[str]:
        if not self.postprocess:
            return ('outputs',)
        if self.scope == 'mmseg' and self.seg_output == 'labels':
            return ('seg_labels',)
        return OUTPUT_NAMES[self.scope]

    def _init_detection(self):
        head = self.model.bbox_head
        if getattr(head, 'use_sigmoid_cls', False):
            raise ConfigError('detection export handles softmax heads (SSD/SSDLite) only')
        cfg = head.test_cfg
        if cfg.nms.get('type', 'nms') != 'nms':
            raise ConfigError(f"model.test_cfg.nms.type must be 'nms', got {cfg.nms.type!r}")
        self.nms_pre, self.score_thr = cfg.get('nms_pre', -1), cfg.score_thr
        self.min_bbox_size = cfg.get('min_bbox_size', -1)
        self.iou_threshold, self.max_per_img = cfg.nms.iou_threshold, cfg.max_per_img
        with torch.no_grad():
            cls_scores, _ = self.model._forward(torch.zeros(1, 3, *self.input_shape))
        sizes = [s.shape[-2:] for s in cls_scores]
        priors = head.prior_generator.grid_priors(sizes, device='cpu')
        for level, anchors in enumerate(priors):
            self.register_buffer(f'anchors{level}', anchors)
        self.num_levels = len(priors)

    def forward(self, images: torch.Tensor):
        x = self.normalise(images)
        if not self.postprocess:
            return self.run_network(x)
        if self.scope == 'mmpretrain':
            return F.softmax(self.run_network(x), dim=1)
        if self.scope == 'mmseg':
            logits = self.run_network(x)
            head = self.model.decode_head
            # resized channels last, where the classes of a pixel lie side by side: an
            # argmax over them then reads contiguous memory (19x512x512 on 2 cores: 8 ms;
            # over NCHW's strided classes 45 ms)
            logits = F.interpolate(
                logits.contiguous(memory_format=torch.channels_last),
                size=images.shape[-2:],
                mode='bilinear',
                align_corners=head.align_corners,
            ).permute(0, 2, 3, 1)
            if self.seg_output == 'labels':
                return logits.argmax(dim=-1)
            return logits if self.seg_output == 'logits_nhwc' else logits.permute(0, 3, 1, 2)
        return self._detect(x)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """RGB ``images`` (N, 3, H, W) in 0..255 as the network takes them: channel
        order of its training, mean subtracted, divided by std."""
        if self.flip_to_bgr:
            images = images.flip(1)
        return (images - self.mean) / self.std

    def run_network(self, x: torch.Tensor):
        """The network's raw outputs for normalised images ``x`` (N, 3, H, W): logits,
        or per-level class scores and box deltas for detection."""
        if self.network is not None:
            return self.network(x)
        return self.model(x, mode='tensor')

    def _detect(self, x: torch.Tensor):
        from mmdet.models.task_modules.coders.delta_xywh_bbox_coder import delta2bbox

        head = self.model.bbox_head
        cls_scores, bbox_preds = self.run_network(x)
        n = x.shape[0]
        boxes, scores, labels = [], [], []
        for level in range(self.num_levels):
            anchors = getattr(self, f'anchors{level}')
            score = cls_scores[level].permute(0, 2, 3, 1).reshape(n, -1, head.cls_out_channels)
            score = F.softmax(score, dim=-1)[..., :-1]  # the last class is background
            delta = bbox_preds[level].permute(0, 2, 3, 1).reshape(n, -1, 4)
            num_classes = score.shape[-1]
            flat = score.reshape(n, -1)
            k = flat.shape[1] if self.nms_pre <= 0 else min(self.nms_pre, flat.shape[1])
            top, index = flat.topk(k, dim=1)
            box_index = index // num_classes
            picked = torch.gather(delta, 1, box_index.unsqueeze(-1).expand(-1, -1, 4))
            decoded = delta2bbox(
                anchors[box_index.reshape(-1)],
                picked.reshape(-1, 4),
                head.bbox_coder.means,
                head.bbox_coder.stds,
                max_shape=self.input_shape,
            )
            boxes.append(decoded.reshape(n, k, 4))
            scores.append(top)
            labels.append(index % num_classes)
        boxes, scores, labels = torch.cat(boxes, 1), torch.cat(scores, 1), torch.cat(labels, 1)
        # mmdet's score threshold (it thresholds before its per-level top-k; the top k of
        # all pairs, then the threshold, is the same set), then NMS within each class of
        # each image (mmdet's batched_nms), kept in descending score order
        valid = scores > self.score_thr
        if self.min_bbox_size >= 0:  # mmdet's _bbox_post_process: w and h above it
            size = boxes[..., 2:] - boxes[..., :2]
            valid = valid & (size > self.min_bbox_size).all(-1)
        scores = torch.where(valid, scores, NOT_A_CANDIDATE)
        keep = multiclass_nms(boxes, scores, labels, head.num_classes, self.iou_threshold)
        image = keep // scores.shape[1]
        # max_per_img per image: the rank of each kept box among its image's, counted
        # down the (M, N) one-hot of images (M x M comparisons had cost more than NMS)
        mine = image.view(-1, 1) == torch.arange(n, device=x.device).view(1, -1)
        rank = (mine.cumsum(0) * mine).sum(1) - 1
        keep, image = keep[rank < self.max_per_img], image[rank < self.max_per_img]
        boxes, scores, labels = boxes.reshape(-1, 4), scores.reshape(-1), labels.reshape(-1)
        return boxes[keep], scores[keep], labels[keep], image


def export_onnx(
    cfg: Config,
    model: nn.Module,
    path: str,
    input_shape: Tuple[int, int],
    dynamic_batch: bool = False,
    seg_output: str = 'logits',
    opset_version: Optional[int] = None,
    postprocess: bool = True,
) -> DeployModel:
    """Write ``DeployModel(model)`` to ``path`` with torch.onnx's dynamo exporter.

    Returns the wrapper (the PyTorch reference for checking the graph). ``dynamic_batch``
    makes the batch dimension symbolic; H and W are fixed (detection's anchors are).
    """
    wrapper = DeployModel(model, cfg.default_scope, input_shape, seg_output, postprocess).eval()
    images = torch.rand(2 if dynamic_batch else 1, 3, *input_shape) * 255
    dynamic_shapes = {'images': {0: torch.export.Dim('batch', min=1)}} if dynamic_batch else None
    with torch.no_grad():
        program = torch.onnx.export(
            wrapper,
            (images,),
            dynamo=True,
            input_names=['images'],
            output_names=list(wrapper.output_names) if postprocess else None,
            dynamic_shapes=dynamic_shapes,
            opset_version=opset_version,
            custom_translation_table=CUSTOM_TRANSLATIONS,
            external_data=False,
            verbose=False,
        )
    program.save(path, external_data=False)
    return wrapper
