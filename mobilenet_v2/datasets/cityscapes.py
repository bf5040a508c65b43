"""Cityscapes' gtFine labelIds maps to the 19 trainIds that mmseg's CityscapesDataset
and our configs train on.

mmseg's own converter (its tools/dataset_converters/cityscapes.py) draws trainIds from
the polygon JSON files with ``cityscapesscripts``, which is not installed here (its
requirements pin the obsolete ``typing`` backport). The ``*_gtFine_labelIds.png`` maps
in the same gtFine archive already hold every pixel's class: mapping them is a table
lookup.
"""

import glob
import os
import os.path as osp
from multiprocessing import Pool
from typing import List, Tuple

import numpy as np
from PIL import Image

# labelId -> trainId of the 19 evaluated classes, in mmseg's CityscapesDataset order
# (road .. bicycle); every other labelId (void, ego vehicle, license plate, caravan,
# trailer, ...) is ignored (255). Source: Cordts et al., "The Cityscapes Dataset for
# Semantic Urban Scene Understanding" (CVPR 2016) and cityscapesscripts'
# helpers/labels.py table (columns id and trainId).
LABEL_TO_TRAIN_ID = {
    7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9,
    23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18,
}  # fmt: skip
IGNORE_INDEX = 255


def train_id_lookup() -> np.ndarray:
    """(256,) uint8: trainId of each labelId, 255 for the ignored ones."""
    lookup = np.full(256, IGNORE_INDEX, np.uint8)
    for label_id, train_id in LABEL_TO_TRAIN_ID.items():
        lookup[label_id] = train_id
    return lookup


def _convert(job: Tuple[str, str]) -> None:
    src, dst = job
    with Image.open(src) as image:
        label = np.asarray(image)
    if label.ndim != 2:
        raise ValueError(f'{src} is no single-channel labelIds map (shape {label.shape})')
    Image.fromarray(train_id_lookup()[label]).save(dst)


def convert_cityscapes(root: str, nproc: int = 1) -> List[str]:
    """Write ``<name>_gtFine_labelTrainIds.png`` beside every
    ``<root>/gtFine/<split>/<city>/<name>_gtFine_labelIds.png`` that has none yet (an
    existing one is left as it is). Returns the files written.

    Raises:
        FileNotFoundError: ``root`` holds no gtFine labelIds maps.
    """
    sources = sorted(glob.glob(osp.join(root, 'gtFine', '*', '*', '*_gtFine_labelIds.png')))
    if not sources:
        raise FileNotFoundError(
            f'{root} holds no gtFine/<split>/<city>/*_gtFine_labelIds.png: unpack '
            "Cityscapes' gtFine_trainvaltest.zip there"
        )
    jobs = [(src, src.replace('_labelIds.png', '_labelTrainIds.png')) for src in sources]
    jobs = [job for job in jobs if not osp.exists(job[1])]
    if nproc > 1 and len(jobs) > 1:
        with Pool(min(nproc, os.cpu_count() or 1)) as pool:
            pool.map(_convert, jobs, chunksize=16)
    else:
        for job in jobs:
            _convert(job)
    return [dst for _, dst in jobs]
