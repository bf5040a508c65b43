"""Loading and checking configs at the tools' boundary, with one-line errors."""

import os.path as osp
from typing import Optional

from mmengine.config import Config

# The toolboxes our configs run under, decided by the config's default_scope.
SCOPES = ('mmseg', 'mmdet', 'mmpretrain')
# configs/ as installed with the package (setup.py links or copies it there)
CONFIG_ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim', 'configs')


class ConfigError(ValueError):
    """A user's config, option or data path is wrong; the message says which."""


def config_path(name: str) -> str:
    """Absolute path of a config shipped with the package, e.g. ``config_path(
    'fcn/mobilenet-v2-d8_fcn_4xb4-80k_cityscapes-512x1024.py')``. Configs elsewhere
    inherit ours by that path (``_base_ = '/.../mobilenet_v2/.mim/configs/fcn/...'``):
    mmengine 0.10.7 resolves ``'pkg::'`` only for OpenMMLab's own packages.

    Raises:
        ConfigError: no such config; the message names the configs folder.
    """
    path = osp.join(CONFIG_ROOT, name)
    if not osp.isfile(path):
        raise ConfigError(f'no config {name} in {CONFIG_ROOT}')
    return path


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    if not osp.isfile(path):
        raise ConfigError(f'config file {path} does not exist')
    try:
        cfg = Config.fromfile(path)
    except AssertionError as err:
        if 'does not support to load mobilenet_v2 config' not in str(err):
            raise ConfigError(f'cannot load config {path}: AssertionError: {err}') from err
        raise ConfigError(
            f"{path}: mmengine resolves '<package>::' only for OpenMMLab's own packages; "
            f"inherit our configs by path: _base_ = '{CONFIG_ROOT}/<folder>/<config>.py' "
            '(mobilenet_v2.engine.config_path gives it)'
        ) from err
    except Exception as err:  # mmengine raises many kinds; the user needs the file and why
        raise ConfigError(f'cannot load config {path}: {type(err).__name__}: {err}') from err
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    scope = cfg.get('default_scope')
    if scope not in SCOPES:
        raise ConfigError(
            f'{path}: default_scope is {scope!r}; it must be one of {SCOPES} '
            "(inherit the toolbox's default_runtime.py)"
        )
    return cfg


def dataset_roots(cfg: Config):
    """(key, data_root) of every dataloader's dataset, through wrappers like RepeatDataset."""
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset')
        key = f'{loader}.dataset'
        while dataset is not None and 'dataset' in dataset:  # RepeatDataset & co.
            dataset, key = dataset['dataset'], f'{key}.dataset'
        if dataset is not None and dataset.get('data_root'):
            yield f'{key}.data_root', dataset['data_root']


def check_data_roots(cfg: Config, loaders=('train', 'val', 'test')):
    """Fail early, naming the key, when a dataset root the run needs is missing."""
    for key, root in dataset_roots(cfg):
        if key.split('_')[0] in loaders and not osp.isdir(root):
            raise ConfigError(
                f'{key} = {root!r} does not exist: point it at your data with '
                f'--cfg-options {key}=PATH (layouts: docs/datasets.md)'
            )


def _pretrained_checkpoints(node, key: str):
    """(key, checkpoint) of every ``init_cfg`` of type Pretrained under ``node``."""
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained' and isinstance(node.get('checkpoint'), str):
            yield f'{key}.checkpoint', node['checkpoint']
        for child, value in node.items():
            yield from _pretrained_checkpoints(value, f'{key}.{child}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _pretrained_checkpoints(value, f'{key}.{i}')


def check_pretrained_paths(cfg: Config):
    """Fail before training, naming the key, when a local Pretrained checkpoint is missing
    (URLs and mmengine schemes such as mmcls:// are left to their loaders)."""
    for key, path in _pretrained_checkpoints(cfg.model, 'model'):
        if '://' not in path and not osp.isfile(osp.expanduser(path)):
            raise ConfigError(
                f'{key} = {path!r} does not exist: point it at your weights '
                f'with --cfg-options {key}=PATH'
            )
