"""Runs under torchrun (gloo on CPU): the process group ends cleanly, a failing rank
fails the whole run promptly."""

import gc
import glob
import json
import os.path as osp
import shutil
from functools import partial

import pytest
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from mobilenet_v2.apis.cli import shutdown_distributed

from .conftest import TOY_CLASSIFIER, run_to_end, run_tool, toy_classifier_options
from .test_toy_detection import TOY as TOY_DETECTOR
from .test_toy_detection import det_options
from .test_toy_segmentation import FCN, seg_options


def test_shutdown_frees_the_ddp_model_that_a_reference_cycle_holds(tmp_path):
    """The cause of the gloo abort at exit: the Runner's reference cycles kept its DDP
    model, and with it the process group, alive into interpreter finalization."""
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)

    class Holder:  # stands for the Runner: its hooks point back at it
        pass

    holder = Holder()
    holder.model, holder.cycle = DistributedDataParallel(torch.nn.Linear(2, 2)), holder
    holder.model(torch.randn(4, 2)).sum().backward()
    del holder
    assert any(isinstance(o, DistributedDataParallel) for o in gc.get_objects())
    shutdown_distributed()
    assert not dist.is_initialized()
    assert not any(isinstance(o, DistributedDataParallel) for o in gc.get_objects())


@pytest.mark.parametrize(
    'task, port',
    [('classification', '29517'), ('segmentation', '29518'), ('detection', '29519')],
)
def test_two_process_gloo_train_and_test_run_under_torchrun(
    task, port, toy_imagenet, toy_cityscapes, toy_coco, tmp_path
):
    """dist_train.sh and dist_test.sh, 2 processes on CPU over gloo, one config of each
    family: trains, checkpoints, and rank 0 alone prints the metrics."""
    config, options, metric = {
        'classification': (
            TOY_CLASSIFIER,
            partial(toy_classifier_options, toy_imagenet),
            'accuracy/top1',
        ),
        'segmentation': (FCN, partial(seg_options, toy_cityscapes), 'mIoU'),
        'detection': (TOY_DETECTOR, partial(det_options, toy_coco), 'coco/bbox_mAP'),
    }[task]
    work_dir = str(tmp_path / 'dist')
    run_tool(
        'tools/dist_train.sh',
        config,
        '2',
        '--work-dir',
        work_dir,
        *options(**run_to_end(2)),
        env={'PORT': port},
    )
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    proc = run_tool(
        'tools/dist_test.sh',
        config,
        osp.join(work_dir, 'iter_2.pth'),
        '2',
        '--work-dir',
        str(tmp_path / 'dist_test'),
        *options(),
        env={'PORT': port},
    )
    assert proc.stdout.count(f'{{"{metric}"') == 1, proc.stdout[-2000:]  # rank 0 only
    assert metric in json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_rank_that_fails_ends_the_run_promptly_naming_the_rank(toy_imagenet, tmp_path):
    """Rank 1 reads a truncated image while rank 0 waits for it in DDP's all-reduce:
    torchrun must stop rank 0 and fail, not leave it waiting for gloo's 30-minute
    timeout."""
    data = shutil.copytree(toy_imagenet, tmp_path / 'data')
    with open(data / 'meta' / 'train.txt') as f:
        second = f.readlines()[1].split()[0]  # unshuffled, rank 1 reads index 1 first
    (data / 'train' / second).write_bytes((data / 'train' / second).read_bytes()[:200])
    proc = run_tool(
        'tools/dist_train.sh',
        TOY_CLASSIFIER,
        '2',
        '--work-dir',
        str(tmp_path / 'work'),
        *toy_classifier_options(
            str(data), **{**run_to_end(2), 'train_dataloader.sampler.shuffle': False}
        ),
        env={'PORT': '29518'},
        check=False,
        timeout=180,
    )
    assert proc.returncode != 0
    root_cause = proc.stderr[proc.stderr.index('Root Cause') :]
    assert 'rank      : 1' in root_cause, root_cause
    assert f'failed to load image: {data}/train/{second}' in root_cause, root_cause
