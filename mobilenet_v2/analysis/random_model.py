"""A randomly initialised model made to behave like a trained one where a benchmark
looks: timings mean the same with and without weights, and fp32 output checks see a
wrong graph (reduced precision still differs far more than a trained model's does:
docs/troubleshooting.md, so the benchmark does not hold it with random weights).

- **BN statistics** (``measure_bn_statistics``). mmengine initialises BN to mean 0,
  variance 1; under random convolutions the activations then grow block by block until
  ReLU6 clips nearly all of them, and the outputs stop depending on the input (SSDLite
  320's logits varied ~1e-6 across positions). A graph that normalised wrongly, or
  post-processed without NMS, then passed the benchmark's output check. With each BN's
  statistics measured on images, as a trained model's are, every layer sees unit-scale
  activations again and the outputs follow the input; damped residual branches
  (``damp_residual_branches``) keep small differences small.
- **A detector's load** (``load_detector``). With random weights every SSD anchor
  scores all 81 classes alike, about 1/81 = 0.012, under mmdet's ``score_thr`` 0.02
  (mmdet's configs/ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py): nothing reaches
  box decoding or NMS, and end to end times the network alone (measured on SSDLite 320:
  21 ms of eager end to end with no box; 50-60 ms when every image keeps its 200). How
  many a trained SSDLite keeps depends on the image; this times the post-processing at
  its most, ``max_per_img`` boxes per image.

None of these changes the network's cost, only the values it computes with.
"""

from typing import Callable, Optional

import torch
from mmdet.models.dense_heads import SSDHead
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

# the classification logits' standard deviation after scaling: enough to put most
# anchors' best classes over score_thr 0.02 (std 1 already fills max_per_img)
LOGIT_STD = 2.0
# the residual branches' last BN scale, times mmengine's 1: with unit scale everywhere
# 1-pixel noise on a synthetic image moved the toy classifier's logits by 51% RMS (a
# rounding difference, say compile's, grows as much); damped, 1.1% (measured, 2 cores).
# Goyal et al. 2017, sec. 5.1, start residual networks with these at 0
RESIDUAL_GAIN = 0.1
# subtracted from the background class's bias: its probability becomes e^-10 of what
# it was, so foreground classes take the anchors' mass as in a trained head
BACKGROUND_SHIFT = 10.0


@torch.no_grad()
def measure_bn_statistics(model: nn.Module, network: Callable, x: torch.Tensor) -> int:
    """Set the running mean and variance of every BN layer of ``model`` to those of its
    input when ``network`` (the model's forward on normalised images) runs on ``x``
    (N, 3, H, W) of distinct images, N >= 2: one forward with the BN layers normalising
    by the batch's statistics, as in training, then eval mode again (also when the
    forward raises). Chunked blocks (``memory_chunks``) run whole meanwhile: their
    chunks call BN in eval mode. Returns how many BN layers the forward measured (those
    it does not reach, such as an auxiliary head's, keep their initialisation)."""
    from ..models.blocks import InvertedResidual

    layers = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]
    blocks = [m for m in model.modules() if isinstance(m, InvertedResidual)]
    momenta, chunks = [m.momentum for m in layers], [b.memory_chunks for b in blocks]
    try:
        for m in layers:
            m.reset_running_stats()
            m.momentum = None  # a cumulative average: of one batch, its statistics
            m.train()
        for block in blocks:
            block.memory_chunks = 1
        network(x)
    finally:
        for m, momentum in zip(layers, momenta):
            m.momentum = momentum
            m.eval()
        for block, count in zip(blocks, chunks):
            block.memory_chunks = count
    return sum(int(m.num_batches_tracked) for m in layers)


@torch.no_grad()
def damp_residual_branches(model: nn.Module) -> int:
    """Multiply the scale (gamma) of the last BN layer of every residual branch of
    ``model`` (``InvertedResidual`` blocks with a shortcut) by ``RESIDUAL_GAIN``.
    Returns how many branches."""
    from ..models.blocks import InvertedResidual

    branches = [m for m in model.modules() if isinstance(m, InvertedResidual)]
    branches = [m for m in branches if m.use_res_connect]
    for block in branches:
        last = [m for m in block.modules() if isinstance(m, _BatchNorm)][-1]
        last.weight.mul_(RESIDUAL_GAIN)
    return len(branches)


def last_conv(module: nn.Module) -> nn.Conv2d:
    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    return convs[-1]


@torch.no_grad()
def load_detector(model: nn.Module, x: torch.Tensor) -> Optional[str]:
    """Scale the classification layer of each level of ``model``'s SSD head (an
    ``SSDHead``: softmax over ``num_classes`` + background, background last) so that
    its logits on the normalised images ``x`` (N, 3, H, W) have standard deviation
    ``LOGIT_STD``, and lower each background logit by ``BACKGROUND_SHIFT``. Weights
    change in place; the network's cost does not. Returns a line saying what was done,
    for the report.

    A model without an ``SSDHead`` is left alone (None).
    """
    head = getattr(model, 'bbox_head', None)
    if not isinstance(head, SSDHead):  # the export refuses other heads with one line
        return None
    cls_scores, _ = model._forward(x)
    for convs, scores in zip(head.cls_convs, cls_scores):
        layer = last_conv(convs)
        factor = LOGIT_STD / scores.std().clamp(min=1e-12)
        layer.weight.mul_(factor)
        layer.bias.mul_(factor)
        layer.bias.view(-1, head.cls_out_channels)[:, -1] -= BACKGROUND_SHIFT
    return (
        f'SSD classification logits scaled to std {LOGIT_STD:g}, '
        f'background lowered by {BACKGROUND_SHIFT:g}, so that post-processing runs at '
        'full load (max_per_img boxes per image)'
    )


def prepare_random_model(model: nn.Module, scope: str, shape, images, kind: str) -> str:
    """``damp_residual_branches``, ``measure_bn_statistics`` on ``images`` (distinct RGB
    arrays (H, W, 3) uint8 like the timed ones, at least 2: a BN layer of a 1x1 map
    needs two values per channel) resized to ``shape`` (H, W), then ``load_detector``.
    Returns what was done, one line for the report and its JSON; ``kind`` names the
    images in it."""
    from ..deployment import DeployModel
    from .benchmark import to_batch

    wrapper = DeployModel(model, scope, shape, postprocess=False)
    x = wrapper.normalise(to_batch(images, shape))
    damped = damp_residual_branches(model)
    count = measure_bn_statistics(model, wrapper.run_network, x)
    line = (
        f'random weights: the statistics of {count} BN layers measured on {kind} images '
        f'and {damped} residual branches damped, so that outputs follow the input as a '
        "trained model's do"
    )
    detector = load_detector(model, x)
    return f'{line}; {detector}' if detector else line
