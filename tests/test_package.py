"""What ``import mobilenet_v2`` does: registers our classes, and nothing else."""

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
assert CheckpointLoader._schemes == loaders, 'checkpoint loaders changed'
assert dict(vars(SSDHead)) == head, 'SSDHead changed'
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_importing_the_package_loads_no_toolbox():
    script = """
import sys
import mobilenet_v2
loaded = sorted({m.split('.')[0] for m in sys.modules} & {'mmdet', 'mmseg', 'mmpretrain'})
assert not loaded, loaded
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
