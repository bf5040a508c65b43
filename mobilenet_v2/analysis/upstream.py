"""The same model built by mmseg, mmdet or mmpretrain from their own shipped config, with
our weights, timed against ours in the same run (benchmark --compare-upstream).

Our configs that reproduce an upstream model name it: ``upstream_config =
'mmseg::mobilenet_v2/<file>.py'`` (mmdet's and mmpretrain's alike).
"""

import importlib
import os.path as osp
from typing import Callable, Dict

import numpy as np
import torch
from mmengine.config import Config

from ..apis.config import ConfigError
from ..apis.model import build_model
from ..deployment.check import flat_tensors
from ..models.converters import ours_to_mmdet
from .timing import compare_interleaved

PACKAGES = dict(mmseg='mmseg', mmdet='mmdet', mmpretrain='mmpretrain')


def upstream_config(cfg: Config) -> Config:
    name = cfg.get('upstream_config')
    if not name:
        raise ConfigError(
            f'{cfg.filename} names no upstream_config: --compare-upstream needs a config '
            'that reproduces an mmseg/mmdet/mmpretrain model'
        )
    package, _, path = str(name).partition('::')
    if package not in PACKAGES or not path:
        raise ConfigError(
            f"upstream_config {name!r}: give '<package>::<path in its configs>', package one "
            f"of {', '.join(PACKAGES)}, e.g. 'mmseg::mobilenet_v2/<file>.py'"
        )
    root = osp.dirname(importlib.import_module(PACKAGES[package]).__file__)
    path = osp.join(root, '.mim', 'configs', path)
    if not osp.isfile(path):
        raise ConfigError(f'upstream_config {name!r}: {path} does not exist')
    return Config.fromfile(path)


class UpstreamModel:
    """The upstream model (``upstream``: ``upstream_config(cfg)``), our weights loaded
    strictly, outputs checked equal (1e-4).

    Raises:
        ConfigError: no upstream config, or its outputs differ from ours.
    """

    def __init__(self, cfg: Config, ours: torch.nn.Module, shape, upstream: Config):
        self.cfg, self.scope = upstream, cfg.default_scope
        self.model = build_model(self.cfg)
        state = ours.state_dict()
        self.model.load_state_dict(ours_to_mmdet(state) if self.scope == 'mmdet' else state)
        self.model.cfg = self.model._config = self.cfg  # what the toolboxes' APIs read
        head = getattr(self.model, 'bbox_head', None)
        if head is not None and not hasattr(head, 'loss_cls'):
            # mmdet 3.3.0's SSDHead cannot predict without it (open-mmlab/mmdetection
            # #11305); set on this one instance, as our SSDLiteHead class does
            head.loss_cls = None
        self._inferencer = None
        self.mean = ours.data_preprocessor.mean.view(1, -1, 1, 1)
        self.std = ours.data_preprocessor.std.view(1, -1, 1, 1)
        self._fix_pipeline(shape)
        x = torch.rand(1, 3, *shape, generator=torch.Generator().manual_seed(0)) * 255
        with torch.no_grad():
            theirs = self._network(x)
            mine = ours((x - self.mean) / self.std, mode='tensor')
        for a, b in zip(flat_tensors(theirs), flat_tensors(mine)):
            if not torch.allclose(a, b, atol=1e-4, rtol=1e-4):
                raise ConfigError(
                    f'{self.cfg.filename} gives other outputs than ours with the same weights '
                    f'(max |difference| {(a - b).abs().max().item():.3g})'
                )
        print(f'upstream {self.cfg.filename}: our weights loaded strictly, same outputs (1e-4)')

    def _fix_pipeline(self, shape):
        """Make the upstream test pipeline resize to ``shape`` as our path does."""
        pipeline = (
            self.cfg.test_dataloader.dataset.pipeline
            if self.scope == 'mmdet'
            else self.cfg.get('test_pipeline') or self.cfg.test_dataloader.dataset.pipeline
        )
        kept = [t for t in pipeline if t['type'] not in ('LoadAnnotations', 'CenterCrop')]
        for t in kept:
            if t['type'] in ('Resize', 'ResizeEdge'):
                t.clear()
                t.update(type='Resize', scale=(shape[1], shape[0]), keep_ratio=False)
        pipeline[:] = kept
        if self.scope == 'mmpretrain':
            self.cfg.test_dataloader.dataset.pipeline = kept
        self.cfg.test_pipeline = kept

    @torch.no_grad()
    def _network(self, batch):
        return self.model((batch - self.mean) / self.std, mode='tensor')

    def end_to_end(self, images):
        bgr = [np.ascontiguousarray(image[..., ::-1]) for image in images]
        if self.scope == 'mmseg':
            from mmseg.apis import inference_model

            return inference_model(self.model, bgr)
        if self.scope == 'mmdet':
            from mmdet.apis import inference_detector

            return inference_detector(self.model, bgr)
        if self._inferencer is None:  # mmpretrain's inference_model builds one per call
            from mmpretrain.apis import ImageClassificationInferencer

            self._inferencer = ImageClassificationInferencer(self.model)
        # the inferencer's own stages, as its __call__ runs them less its progress bar
        inferencer, preds = self._inferencer, []
        for data in inferencer.preprocess(bgr, batch_size=len(bgr)):
            preds.extend(inferencer.forward(data))
        return inferencer.postprocess(preds, None, return_datasamples=False)

    def compare(self, scope: str, ours: Callable, inputs, batch_size, warmup, runs) -> Dict:
        """Timing of ``ours(inputs)`` and upstream's on the same inputs, interleaved
        (``time_interleaved``)."""
        theirs = self._network if scope == 'forward' else self.end_to_end
        return dict(
            upstream_config=self.cfg.filename,
            **compare_interleaved(
                'upstream', lambda: ours(inputs), lambda: theirs(inputs), batch_size, warmup, runs
            ),
        )
