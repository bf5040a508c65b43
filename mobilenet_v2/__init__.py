"""mobilenet_v2: MobileNetV2 (Sandler et al. 2018) for mmseg, mmdet and mmpretrain.

Importing the package registers the models in the ``mobilenet_v2`` registry scope,
makes mmengine's checkpoint loading safe on torch >= 2.6 (utils/checkpoint.py) and lets
mmdet 3.3.0's SSDHead predict (utils/mmdet_compat.py).
"""

from .utils import install_safe_checkpoint_loading
from .utils.mmdet_compat import fix_ssd_head_prediction

install_safe_checkpoint_loading()
fix_ssd_head_prediction()

from . import models  # noqa: E402,F401  (registers the models)

__version__ = '0.1.0'
