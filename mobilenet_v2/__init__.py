"""mobilenet_v2: MobileNetV2 (Sandler et al. 2018) for mmseg, mmdet and mmpretrain.

Importing the package registers the models in the ``mobilenet_v2`` registry scope and
changes nothing in mmengine, mmseg, mmdet or mmpretrain. Our tools make mmengine's
checkpoint loading safe on torch >= 2.6 when they start; scripts of your own call
``mobilenet_v2.compat.install_safe_checkpoint_loading()`` once (compat/checkpoint.py).
"""

from . import models  # noqa: F401  (registers the models)

__version__ = '0.1.0'
