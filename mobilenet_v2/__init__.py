"""mobilenet_v2: MobileNetV2 (Sandler et al. 2018) for mmseg, mmdet and mmpretrain.

Importing the package adds the ``mobilenet_v2`` registry scope (``registry``) and
nothing else: no torch, no toolbox, and nothing in mmengine, mmseg, mmdet or mmpretrain
changes. mmengine imports our classes when a config first names one
(``type='mobilenet_v2.MobileNetV2'``: the registries' ``locations``), so a tool's
argument errors come before seconds of imports. Our tools make mmengine's checkpoint
loading safe on torch >= 2.6 when they start; scripts of your own call
``mobilenet_v2.compat.install_safe_checkpoint_loading()`` once (compat/checkpoint.py).
"""

import importlib

from . import registry  # noqa: F401  (the scope's registries; mmengine, not torch)

__version__ = '0.1.0'
SUBPACKAGES = ('analysis', 'apis', 'compat', 'datasets', 'deployment', 'engine', 'models')


def __getattr__(name: str):
    """``mobilenet_v2.models`` and the other subpackages, imported on first use."""
    if name in SUBPACKAGES:
        return importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
