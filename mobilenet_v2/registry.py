"""The plugin's own registries.

Children of mmengine's roots with ``scope='mobilenet_v2'``: mmseg, mmdet and mmpretrain
configs reach our classes as ``type='mobilenet_v2.<Name>'`` from their own default
scope, so one class serves all three toolboxes. Never set ``default_scope`` to
``mobilenet_v2``: the toolbox's losses, transforms and metrics would stop resolving.
"""

from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='mobilenet_v2', locations=['mobilenet_v2.models']
)
# anchor generators and other helpers that mmdet's heads build from TASK_UTILS
TASK_UTILS = Registry(
    'task util',
    parent=MMENGINE_TASK_UTILS,
    scope='mobilenet_v2',
    locations=['mobilenet_v2.models'],
)
# hooks our tools put into a run (training in mobilenet_v2/engine/, stack shims in
# mobilenet_v2/compat/; its mmseg one is a module of its own: compat needs no mmseg)
HOOKS = Registry(
    'hook',
    parent=MMENGINE_HOOKS,
    scope='mobilenet_v2',
    locations=[
        'mobilenet_v2.engine',
        'mobilenet_v2.compat',
        'mobilenet_v2.compat.mmseg_visualization',
    ],
)
# data transforms our tools put into pipelines (checked loading)
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    scope='mobilenet_v2',
    locations=['mobilenet_v2.datasets'],
)
