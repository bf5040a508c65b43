"""What ``import mobilenet_v2`` does: adds our registry scope, whose classes mmengine
imports when a config names one, and nothing else."""

import subprocess
import sys


def test_importing_the_package_changes_nothing_upstream():
    """A fresh interpreter: mmengine's loaders and mmdet's SSDHead are the same objects
    after ``import mobilenet_v2`` as before."""
    script = """
from mmdet.models.dense_heads import SSDHead
from mmengine.runner.checkpoint import CheckpointLoader
loaders, head = dict(CheckpointLoader._schemes), dict(vars(SSDHead))
import mobilenet_v2
from mmdet.registry import MODELS
MODELS.build(dict(type='mobilenet_v2.MobileNetV2', widen_factor=0.35))  # imports our models
import mobilenet_v2.models.det, mobilenet_v2.models.seg
assert CheckpointLoader._schemes == loaders, 'checkpoint loaders changed'
assert dict(vars(SSDHead)) == head, 'SSDHead changed'
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_importing_the_package_loads_no_toolbox_and_no_torch():
    """Cheap enough for the tools to check their arguments first (tests/test_tools.py)."""
    script = """
import sys
import mobilenet_v2
loaded = sorted({m.split('.')[0] for m in sys.modules} & {'mmdet', 'mmseg', 'mmpretrain', 'torch'})
assert not loaded, loaded
assert mobilenet_v2.models.MobileNetV2.__name__ == 'MobileNetV2'  # subpackages on first use
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_each_toolbox_builds_our_backbone_after_importing_the_package_alone():
    """``custom_imports=dict(imports=['mobilenet_v2'])`` is enough: mmengine imports
    ``mobilenet_v2.models`` (the registry's ``locations``) when a config names
    ``mobilenet_v2.MobileNetV2``, from mmseg's, mmdet's and mmpretrain's registries, and
    our hooks when one is named."""
    script = """
import mobilenet_v2
from mmengine.registry import init_default_scope
for scope in ('mmseg', 'mmdet', 'mmpretrain'):
    init_default_scope(scope)
    registry = __import__(scope + '.registry', fromlist=['MODELS']).MODELS
    net = registry.build(dict(type='mobilenet_v2.MobileNetV2', widen_factor=0.35))
    assert type(net).__module__ == 'mobilenet_v2.models.backbone', type(net)
from mmseg.registry import HOOKS  # our hooks too, the mmseg one included
assert HOOKS.get('mobilenet_v2.SegTestVisualizationHook').__name__ == 'SegTestVisualizationHook'
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
