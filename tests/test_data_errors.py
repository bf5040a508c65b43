"""Data that does not fit the dataset stops the tools with one line naming the file,
the values found and the likely cause: never an IndexError deep in a loss, never a
metric computed over labels it cannot score (issue 12)."""

import glob
import json
import os.path as osp
import shutil

import numpy as np
import pytest
from PIL import Image

from .conftest import TOY_CLASSIFIER, run_to_end, run_tool, toy_classifier_options
from .test_toy_detection import TOY as TOY_DETECTOR
from .test_toy_detection import det_options
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


def without_categories(coco: dict):
    coco.pop('categories')


def a_box_outside_the_image(coco: dict):
    image = coco['images'][0]
    annotation = next(a for a in coco['annotations'] if a['image_id'] == image['id'])
    annotation['bbox'] = [image['width'] - 10, 10, 40, 20]


@pytest.mark.parametrize(
    'corrupt, message',
    [
        (without_categories, "has no 'categories' entry"),
        (a_box_outside_the_image, '1 boxes reach outside their image, first in'),
    ],
)
def test_coco_annotations_that_do_not_fit_are_one_line_before_anything_is_written(
    toy_coco, tmp_path, corrupt, message
):
    train = osp.join(toy_coco, 'annotations', 'instances_train2017.json')
    coco = json.load(open(train))
    corrupt(coco)
    ann_file = str(tmp_path / 'instances_train2017.json')
    json.dump(coco, open(ann_file, 'w'))
    work_dir = tmp_path / 'work'
    proc = run_tool(
        'tools/train.py',
        TOY_DETECTOR,
        '--work-dir',
        str(work_dir),
        *det_options(toy_coco, **{'train_dataloader.dataset.ann_file': ann_file}),
        check=False,
    )
    line = one_error_line(proc)
    assert ann_file in line and message in line, line
    assert not work_dir.exists()


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_an_empty_split_is_one_line_naming_it_before_anything_is_written(
    toy_imagenet, tmp_path, tool
):
    root = str(tmp_path / 'data')
    shutil.copytree(toy_imagenet, root)
    split = 'train' if tool == 'tools/train.py' else 'val'  # the classifier tests on val
    open(osp.join(root, 'meta', f'{split}.txt'), 'w').close()
    work_dir = tmp_path / 'work'
    checkpoint = [] if tool == 'tools/train.py' else [str(tmp_path / 'unused.pth')]
    if checkpoint:
        open(checkpoint[0], 'wb').close()
    proc = run_tool(
        tool,
        TOY_CLASSIFIER,
        *checkpoint,
        '--work-dir',
        str(work_dir),
        *toy_classifier_options(root),
        check=False,
    )
    line = one_error_line(proc)
    assert f'lists no samples (split {root}/meta/{split}.txt)' in line, line
    assert not work_dir.exists()


def test_a_validation_label_of_another_size_stops_the_run_before_training(toy_cityscapes, tmp_path):
    """Found from the file headers before the Runner starts: not after training, at
    the first validation."""
    root, label = corrupted_copy(toy_cityscapes, tmp_path, 'val', resized)
    work_dir = tmp_path / 'work'
    proc = run_tool(
        'tools/train.py',
        FCN,
        '--work-dir',
        str(work_dir),
        *seg_options(root, **run_to_end(2)),
        check=False,
    )
    line = one_error_line(proc)
    assert f'label {label} is ' in line and 'pixels, its image' in line, line
    assert not work_dir.exists()


def test_an_image_the_split_lists_but_that_is_missing_is_named_before_training(
    toy_imagenet, tmp_path
):
    root = str(tmp_path / 'data')
    shutil.copytree(toy_imagenet, root)
    with open(osp.join(root, 'meta', 'val.txt'), 'a') as f:
        f.write('ILSVRC2012_val_99999999.JPEG 3\n')
    work_dir = tmp_path / 'work'
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(work_dir),
        *toy_classifier_options(root),
        check=False,
    )
    line = one_error_line(proc)
    assert 'lists 1 images that do not exist, first ' in line and '99999999.JPEG' in line, line
    assert not work_dir.exists()


def test_a_test_split_without_boxes_gives_no_metric(toy_coco, tmp_path):
    """Box AP over no ground truth is -1: refused before testing, not printed."""
    val = json.load(open(osp.join(toy_coco, 'annotations', 'instances_val2017.json')))
    val['annotations'] = []
    ann_file = str(tmp_path / 'instances_val2017.json')
    json.dump(val, open(ann_file, 'w'))
    checkpoint = tmp_path / 'unused.pth'
    checkpoint.write_bytes(b'')
    proc = run_tool(
        'tools/test.py',
        TOY_DETECTOR,
        str(checkpoint),
        '--work-dir',
        str(tmp_path / 'work'),
        *det_options(
            toy_coco,
            **{'test_dataloader.dataset.ann_file': ann_file, 'test_evaluator.ann_file': ann_file},
        ),
        check=False,
    )
    line = one_error_line(proc)
    assert f'{ann_file} holds no boxes' in line, line
    assert 'bbox_mAP' not in proc.stdout


def test_a_dict_value_in_cfg_options_is_one_line_with_the_way_that_works(tmp_path):
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--cfg-options',
        "model.backbone.init_cfg=dict(type='Pretrained', checkpoint='x.pth')",
        check=False,
    )
    line = one_error_line(proc)
    assert 'mmengine cannot parse a dict(...) value; set the keys one by one' in line, line


def test_mmpretrains_model_pretrained_is_checked_before_anything_is_written(toy_imagenet, tmp_path):
    work_dir = tmp_path / 'work'
    proc = run_tool(
        'tools/train.py',
        TOY_CLASSIFIER,
        '--work-dir',
        str(work_dir),
        *toy_classifier_options(toy_imagenet, **{'model.pretrained': '/nonexistent.pth'}),
        check=False,
    )
    line = one_error_line(proc)
    assert "model.pretrained = '/nonexistent.pth' does not exist" in line, line
    assert not work_dir.exists()
