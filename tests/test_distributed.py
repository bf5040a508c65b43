"""Runs under torchrun (gloo on CPU): the process group ends cleanly, a failing rank
fails the whole run promptly."""

import gc
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from functools import partial

import numpy as np
import pytest
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from mobilenet_v2.apis.cli import shutdown_distributed

from .conftest import ROOT, TOY_CLASSIFIER, run_to_end, run_tool, toy_classifier_options
from .test_tools import logged
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


def dist_train_and_test(config, options, metric, port, tmp_path, iters=2) -> str:
    """dist_train.sh and dist_test.sh, 2 processes on CPU over gloo: trains,
    checkpoints, and rank 0 alone prints the metrics. Returns the training's work dir."""
    work_dir = str(tmp_path / 'dist')
    run_tool(
        'tools/dist_train.sh',
        config,
        '2',
        '--work-dir',
        work_dir,
        *options(**run_to_end(iters)),
        env={'PORT': port},
    )
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert osp.isfile(osp.join(work_dir, f'iter_{iters}.pth'))
    proc = run_tool(
        'tools/dist_test.sh',
        config,
        osp.join(work_dir, f'iter_{iters}.pth'),
        '2',
        '--work-dir',
        str(tmp_path / 'dist_test'),
        *options(),
        env={'PORT': port},
    )
    printed = [line for line in proc.stdout.splitlines() if line.startswith('{"')]
    assert len(printed) == 1, proc.stdout[-2000:]  # by rank 0 only
    assert metric in json.loads(printed[0])
    return work_dir


@pytest.mark.parametrize('task, port', [('segmentation', '29518'), ('detection', '29519')])
def test_two_process_gloo_train_and_test_run_under_torchrun(
    task, port, toy_cityscapes, toy_coco, tmp_path
):
    """One config of each family under torchrun (classification: the two-node test)."""
    config, options, metric = {
        'segmentation': (FCN, partial(seg_options, toy_cityscapes), 'mIoU'),
        'detection': (TOY_DETECTOR, partial(det_options, toy_coco), 'coco/bbox_mAP'),
    }[task]
    dist_train_and_test(config, options, metric, port, tmp_path)


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


FAKE_SRUN = """#!/usr/bin/env bash
# records srun's command line, then runs its program as task 0 of 1 would
printf '%s\\n' "$@" > "$SRUN_LOG"
while [ "$1" != "$PYTHON" ]; do shift; done
SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=localhost exec "$@"
"""


def test_slurm_scripts_build_the_srun_command_and_refuse_cpu_nodes_in_one_line(tmp_path):
    """Without Slurm: a stand-in srun records the command line slurm_train.sh and
    slurm_test.sh give it, then runs the tool as a task: on this CPU-only machine the
    tool refuses mmengine's slurm launcher (it binds GPUs) before any work starts."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    log = tmp_path / 'srun.log'
    env = {
        'PATH': f'{bin_dir}:{os.environ["PATH"]}',
        'SRUN_LOG': str(log),
        'GPUS': '16',
        'SRUN_ARGS': '--quotatype=auto --exclusive',
    }
    work_dir = tmp_path / 'work'
    (tmp_path / 'ckpt.pth').write_bytes(b'')  # test.py checks that it exists first
    for script, target in (
        ('tools/slurm_train.sh', str(work_dir)),
        ('tools/slurm_test.sh', str(tmp_path / 'ckpt.pth')),
    ):
        args = [script, 'gpu_part', 'mv2', TOY_CLASSIFIER, target, '--cfg-options', 'a=1']
        proc = run_tool(*args, env=env, check=False)
        recorded = log.read_text().splitlines()
        tool = 'train.py' if 'train' in script else 'test.py'
        assert recorded[:2] == ['-p', 'gpu_part'] and '--job-name=mv2' in recorded
        assert '--ntasks=16' in recorded and '--ntasks-per-node=8' in recorded
        assert '--gres=gpu:8' in recorded and '--kill-on-bad-exit=1' in recorded
        assert {'--quotatype=auto', '--exclusive'} <= set(recorded)  # SRUN_ARGS, split
        program = recorded[recorded.index(sys.executable) :]
        assert program[1] == '-u' and program[2].endswith(f'tools/{tool}')
        assert program[3] == TOY_CLASSIFIER
        assert program[-4:] == ['--cfg-options', 'a=1', '--launcher', 'slurm']
        assert proc.returncode == 2 and proc.stderr.startswith('error: --launcher slurm needs GPUs')
    assert not work_dir.exists()


def test_two_nodes_on_localhost_train_as_one_node_does(toy_imagenet, tmp_path):
    """Multi-node torchrun: two launchers (--nnodes 2, one process each) meet at one
    rendezvous and train as one launcher with two processes (the classification run of
    the test above): same losses."""
    options = toy_classifier_options(toy_imagenet, **run_to_end(3))
    classifier = partial(toy_classifier_options, toy_imagenet)
    one_node = dist_train_and_test(
        TOY_CLASSIFIER, classifier, 'accuracy/top1', '29521', tmp_path, iters=3
    )
    two_nodes = str(tmp_path / 'two_nodes')
    command = [
        'bash',
        osp.join(ROOT, 'tools/dist_train.sh'),
        TOY_CLASSIFIER,
        '1',
        '--work-dir',
        two_nodes,
        *options,
    ]
    nodes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(
                os.environ,
                PYTHON=sys.executable,
                OMP_NUM_THREADS='1',
                PYTHONHASHSEED='0',
                NNODES='2',
                NODE_RANK=str(rank),
                MASTER_ADDR='127.0.0.1',
                PORT='29523',
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rank in (0, 1)
    ]
    outputs = [node.communicate(timeout=600)[0] for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    log = open(glob.glob(osp.join(two_nodes, '*', '*.log'))[0]).read()
    assert 'GPU number: 2' in log  # world size 2 across the two launchers
    expected, actual = logged(one_node, 'loss'), logged(two_nodes, 'loss')
    assert len(actual) == len(expected) == 3
    assert np.allclose(actual, expected, rtol=1e-4, atol=1e-5), (actual, expected)


def test_slurm_scripts_name_their_usage_and_a_missing_srun(tmp_path):
    for script in ('tools/slurm_train.sh', 'tools/slurm_test.sh'):
        proc = run_tool(script, 'gpu_part', 'mv2', check=False)
        assert proc.returncode == 2 and proc.stderr.startswith(f'error: usage: bash {script} ')
        no_srun = {'PATH': '/usr/bin:/bin'}  # no Slurm on this machine
        proc = run_tool(script, 'p', 'j', TOY_CLASSIFIER, 'x', env=no_srun, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith('error: srun not found')
