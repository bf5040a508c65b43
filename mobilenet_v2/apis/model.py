"""Building a config's model outside a Runner (for counting and timing)."""

import torch.nn as nn
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import MODELS, init_default_scope


def build_model(cfg: Config) -> nn.Module:
    """The config's model as the Runner builds it, SyncBN reverted to BN, in eval mode."""
    init_default_scope(cfg.default_scope)
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return revert_sync_batchnorm(MODELS.build(model_cfg)).eval()
