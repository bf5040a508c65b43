"""Checking that a checkpoint fits a model before anything is evaluated with it."""

from typing import Dict

import torch.nn as nn

from ..compat import safe_torch_load
from .config import ConfigError


def checkpoint_state_dict(path: str) -> Dict:
    """The weights of a checkpoint written by mmengine (``state_dict``) or a bare one."""
    checkpoint = safe_torch_load(path, map_location='cpu')
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get('state_dict'), dict):
        return checkpoint['state_dict']
    if isinstance(checkpoint, dict):
        return checkpoint
    raise ConfigError(f'checkpoint {path} holds no state dict ({type(checkpoint).__name__})')


def check_checkpoint_fits(model: nn.Module, path: str):
    """Raise ConfigError when the checkpoint ``path`` leaves weights of ``model``
    unmatched (missing, or of another shape): a metric or a speed from mostly random
    weights must never be reported. The message names a few keys and what the
    checkpoint seems to be. Keys the model lacks (a classifier's head in a
    backbone-only model) are allowed; ``module.`` prefixes (DDP) are ignored."""
    state = {k.removeprefix('module.'): v for k, v in checkpoint_state_dict(path).items()}
    ours = model.state_dict()
    missing = [k for k in ours if k not in state]
    shapes = [
        f'{k} {tuple(state[k].shape)} (model: {tuple(ours[k].shape)})'
        for k in ours
        if k in state and hasattr(state[k], 'shape') and state[k].shape != ours[k].shape
    ]
    if not missing and not shapes:
        return
    kinds = sorted({k.split('.')[0] for k in state})
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} of the model's {len(ours)} weights missing ({missing[:3]})"
        )
    if shapes:
        problems.append(f'{len(shapes)} of another shape ({shapes[:2]})')
    raise ConfigError(
        f'checkpoint {path} does not fit this config\'s model: {"; ".join(problems)}. '
        f'The checkpoint holds {len(state)} weights under {kinds}: another width, task '
        'or number of classes? Give the config it was trained with'
    )
