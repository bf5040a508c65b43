"""Cityscapes preparation from the gtFine labelIds maps, on a sample in the real layout
(issue 13): the trainIds mmseg's CityscapesDataset reads, without cityscapesscripts."""

import os
import os.path as osp

import numpy as np
from PIL import Image

from .conftest import run_tool

# Cityscapes' labelIds of the 19 evaluated classes, by name (the dataset's label
# definition): the converted trainIds must follow mmseg's class order
NAMED_IDS = {
    'road': 7, 'sidewalk': 8, 'building': 11, 'wall': 12, 'fence': 13, 'pole': 17,
    'traffic light': 19, 'traffic sign': 20, 'vegetation': 21, 'terrain': 22, 'sky': 23,
    'person': 24, 'rider': 25, 'car': 26, 'truck': 27, 'bus': 28, 'train': 31,
    'motorcycle': 32, 'bicycle': 33,
}  # fmt: skip


def write_sample(root: str, split: str, name: str, label_ids: np.ndarray):
    for folder, suffix, array in (
        ('leftImg8bit', 'leftImg8bit', np.zeros((*label_ids.shape, 3), np.uint8)),
        ('gtFine', 'gtFine_labelIds', label_ids),
    ):
        path = osp.join(root, folder, split, 'aachen', f'{name}_{suffix}.png')
        os.makedirs(osp.dirname(path), exist_ok=True)
        Image.fromarray(array).save(path)


def test_label_ids_become_the_train_ids_mmseg_reads(tmp_path):
    from mmseg.datasets import CityscapesDataset

    root = str(tmp_path / 'cityscapes')
    every_id = np.arange(34, dtype=np.uint8).repeat(2).reshape(4, 17)  # 0..33, twice
    write_sample(root, 'train', 'aachen_000000_000019', every_id)
    write_sample(root, 'val', 'aachen_000001_000019', np.full((4, 17), 26, np.uint8))
    proc = run_tool('tools/dataset_converters/cityscapes.py', root)
    assert f'wrote 2 *_gtFine_labelTrainIds.png under {root}/gtFine' in proc.stdout

    train_ids = np.asarray(
        Image.open(f'{root}/gtFine/train/aachen/aachen_000000_000019_gtFine_labelTrainIds.png')
    )
    classes = CityscapesDataset.METAINFO['classes']
    expected = np.full(34, 255, np.uint8)
    for name, label_id in NAMED_IDS.items():
        expected[label_id] = classes.index(name)
    assert (train_ids == expected[every_id]).all()
    assert sorted(set(train_ids.ravel().tolist())) == [*range(19), 255]

    dataset = CityscapesDataset(
        data_root=root,
        data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=[],
    )
    assert len(dataset) == 1
    car = np.asarray(Image.open(dataset.get_data_info(0)['seg_map_path']))
    assert (car == classes.index('car')).all()

    # a second run leaves converted files alone
    assert 'wrote 0 ' in run_tool('tools/dataset_converters/cityscapes.py', root).stdout


def test_a_folder_without_label_ids_is_one_line(tmp_path):
    proc = run_tool('tools/dataset_converters/cityscapes.py', str(tmp_path), check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f'error: {tmp_path} holds no gtFine/<split>/<city>/')
