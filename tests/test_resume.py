"""Resume is exact for every task: a run stopped after a checkpoint and resumed from
that file alone ends bit-identical to the uninterrupted run (issue 12)."""

import os.path as osp

import pytest
import torch

from mobilenet_v2.apis import build_runner, load_config, prepare_train

from .conftest import TOY_CLASSIFIER, run_tool, toy_classifier_options
from .test_tools import state_dict
from .test_toy_detection import TOY as TOY_DETECTOR
from .test_toy_detection import det_options
from .test_toy_segmentation import FCN, seg_options

# 4 iterations, a checkpoint and a validation every 2: validation creates a dataloader
# iterator between the checkpoint and the next iteration, which draws from torch's RNG
STOP_AT_2 = {
    'train_cfg.max_iters': 4,
    'train_cfg.val_interval': 2,
    'default_hooks.checkpoint.interval': 2,
    'default_hooks.checkpoint.save_best': None,
}


@pytest.mark.parametrize('task', ['classification', 'segmentation', 'detection'])
def test_resume_from_iteration_2_reproduces_the_uninterrupted_run(
    task, toy_imagenet, toy_cityscapes, toy_coco, tmp_path
):
    """Segmentation draws Dropout2d masks from torch's RNG: before the per-iteration
    seeding (mobilenet_v2.IterationSeedHook) 279 of 334 tensors differed."""
    config, options = {
        'classification': (TOY_CLASSIFIER, toy_classifier_options(toy_imagenet, **STOP_AT_2)),
        'segmentation': (FCN, seg_options(toy_cityscapes, **STOP_AT_2)),
        'detection': (TOY_DETECTOR, det_options(toy_coco, **STOP_AT_2)),
    }[task]
    full, resumed = str(tmp_path / 'full'), str(tmp_path / 'resumed')
    run_tool('tools/train.py', config, '--work-dir', full, *options)
    # the interrupted run: nothing but iteration 2's checkpoint survives
    run_tool(
        'tools/train.py',
        config,
        '--work-dir',
        resumed,
        '--resume',
        osp.join(full, 'iter_2.pth'),
        *options,
    )
    expected, actual = (
        state_dict(osp.join(full, 'iter_4.pth')),
        state_dict(osp.join(resumed, 'iter_4.pth')),
    )
    assert expected.keys() == actual.keys()
    differing = [key for key in expected if not torch.equal(actual[key], expected[key])]
    assert not differing, f'{len(differing)} of {len(expected)} tensors differ: {differing[:5]}'
    # and the resumed run did train: its weights moved away from iteration 2's
    start = state_dict(osp.join(full, 'iter_2.pth'))
    assert any(not torch.equal(start[key], actual[key]) for key in actual)


# a runner that has not trained has no optimizer or schedulers to save
WEIGHTS_ONLY = dict(save_optimizer=False, save_param_scheduler=False)


def test_a_save_killed_midway_leaves_no_truncated_checkpoint(toy_imagenet, tmp_path, monkeypatch):
    """The runner's checkpoint write is interrupted after half of its bytes: the earlier
    file of that name is intact and no truncated file carries a checkpoint's name."""
    from mmengine.fileio.backends.local_backend import LocalBackend

    roots = {f'{s}_dataloader.dataset.data_root': toy_imagenet for s in ('train', 'val', 'test')}
    cfg = prepare_train(load_config(TOY_CLASSIFIER, roots), work_dir=str(tmp_path / 'run'))
    runner = build_runner(cfg)
    runner.save_checkpoint(cfg.work_dir, 'best.pth', **WEIGHTS_ONLY)
    saved = open(osp.join(cfg.work_dir, 'best.pth'), 'rb').read()

    def killed_while_writing(self, obj, filepath):
        with open(filepath, 'wb') as f:
            f.write(obj[: len(obj) // 2])
        raise KeyboardInterrupt  # what the file sees of a kill -9: writing stops

    monkeypatch.setattr(LocalBackend, 'put', killed_while_writing)
    for name in ('best.pth', 'iter_2.pth'):  # replacing a checkpoint; a new one
        with pytest.raises(KeyboardInterrupt):
            runner.save_checkpoint(cfg.work_dir, name, **WEIGHTS_ONLY)
    assert open(osp.join(cfg.work_dir, 'best.pth'), 'rb').read() == saved
    assert not osp.exists(osp.join(cfg.work_dir, 'iter_2.pth'))
