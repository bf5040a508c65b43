"""Data that does not fit the dataset stops the tools with one line naming the file,
the values found and the likely cause: never an IndexError deep in a loss, never a
metric computed over labels it cannot score (issue 12)."""

import glob
import os.path as osp
import shutil

import numpy as np
import pytest
from PIL import Image

from .conftest import run_to_end, run_tool
from .test_toy_segmentation import FCN, seg_options


def corrupted_copy(toy_cityscapes, tmp_path, split: str, corrupt) -> tuple:
    """A copy of the toy Cityscapes set whose first ``split`` label ``corrupt(path)``
    rewrote; returns (data root, that label's path)."""
    root = str(tmp_path / 'data')
    shutil.copytree(toy_cityscapes, root)
    label = sorted(glob.glob(f'{root}/gtFine/{split}/*/*_labelTrainIds.png'))[0]
    corrupt(label)
    return root, label


def label_ids_not_train_ids(path):  # a Cityscapes labelIds value (26: car)
    label = np.array(Image.open(path))
    label[:8, :8] = 26
    Image.fromarray(label).save(path)


def resized(path):
    image = Image.open(path)
    image.resize((image.width // 2, image.height // 2), Image.NEAREST).save(path)


def truncated(path):
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[: len(data) // 2])


def one_error_line(proc) -> str:
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith('error: '), proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    return lines[-1]


@pytest.mark.parametrize(
    'corrupt, message',
    [
        (label_ids_not_train_ids, 'holds values 26 outside the 19 classes (0..18)'),
        (resized, 'pixels, its image'),
        (truncated, 'cannot be decoded'),
    ],
)
def test_a_training_label_that_does_not_fit_is_one_line_naming_it(
    toy_cityscapes, tmp_path, corrupt, message
):
    root, label = corrupted_copy(toy_cityscapes, tmp_path, 'train', corrupt)
    proc = run_tool(
        'tools/train.py',
        FCN,
        '--work-dir',
        str(tmp_path / 'work'),
        *seg_options(root, **run_to_end(2), **{'train_dataloader.batch_size': 16}),
        check=False,
    )
    line = one_error_line(proc)
    assert f'label {label}' in line and message in line, line
    if corrupt is label_ids_not_train_ids:
        assert 'trainIds' in line  # the likely cause


def test_testing_on_labels_of_another_coding_prints_no_metric(toy_cityscapes, tmp_path):
    work = str(tmp_path / 'work')
    run_tool(
        'tools/train.py', FCN, '--work-dir', work, *seg_options(toy_cityscapes, **run_to_end(2))
    )
    root, label = corrupted_copy(toy_cityscapes, tmp_path, 'val', label_ids_not_train_ids)
    proc = run_tool(
        'tools/test.py',
        FCN,
        osp.join(work, 'iter_2.pth'),
        '--work-dir',
        str(tmp_path / 'test'),
        *seg_options(root),
        check=False,
    )
    line = one_error_line(proc)
    assert f'label {label} holds values 26' in line, line
    assert 'mIoU' not in proc.stdout
