"""mobilenet_v2: MobileNetV2 (Sandler et al. 2018) for mmseg, mmdet and mmpretrain.

Importing the package registers the models in the ``mobilenet_v2`` registry scope and
makes mmengine's checkpoint loading safe on torch >= 2.6 (utils/checkpoint.py).
"""

from .utils import install_safe_checkpoint_loading

install_safe_checkpoint_loading()

from . import models  # noqa: E402,F401  (registers the models)

__version__ = '0.1.0'
