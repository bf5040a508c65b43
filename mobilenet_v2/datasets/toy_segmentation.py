"""Small Cityscapes- and ADE20K-format segmentation sets of procedurally drawn scenes.

Cityscapes layout (mmseg's CityscapesDataset; 19 train ids, 255 = ignore)::

    ROOT/leftImg8bit/{train,val}/toyville/toyville_000000_0000NN_leftImg8bit.png
    ROOT/gtFine/{train,val}/toyville/toyville_000000_0000NN_gtFine_labelTrainIds.png

ADE20K layout (mmseg's ADE20KDataset; 0 = other, 1..150 the classes)::

    ROOT/ADEChallengeData2016/images/{training,validation}/ADE_{train,val}_000000NN.jpg
    ROOT/ADEChallengeData2016/annotations/{training,validation}/ADE_..._000000NN.png

Scenes are structured: a layout (sky above a horizon, road or floor below, objects
standing on it) drawn with per-class colours and textures, so that a pixel's class
follows from its appearance and context, as in the real sets, and not from noise.
"""

import os
import os.path as osp
from typing import Callable, Dict, Tuple

import numpy as np
from PIL import Image, ImageDraw

Painter = Callable[[np.random.Generator, int, int], np.ndarray]


def _flat(colour, jitter=12, noise=6) -> Painter:
    def paint(rng, h, w):
        base = np.array(colour, np.float32) + rng.uniform(-jitter, jitter, 3)
        return base + rng.normal(0, noise, (h, w, 3))

    return paint


def _stripes(colour, other, period, vertical=False) -> Painter:
    def paint(rng, h, w):
        axis = np.arange(w if vertical else h)
        mask = (axis // (period // 2)) % 2 == 0
        mask = mask[None, :, None] if vertical else mask[:, None, None]
        img = np.where(mask, np.array(colour, np.float32), np.array(other, np.float32))
        return np.broadcast_to(img, (h, w, 3)) + rng.normal(0, 5, (h, w, 3))

    return paint


def _speckle(colour, other) -> Painter:
    def paint(rng, h, w):
        mask = rng.random((h, w, 1)) < 0.35
        return np.where(mask, np.array(other, np.float32), np.array(colour, np.float32)) + (
            rng.normal(0, 8, (h, w, 3))
        )

    return paint


def _gradient(top, bottom) -> Painter:
    def paint(rng, h, w):
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        img = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
        return np.broadcast_to(img, (h, w, 3)) + rng.normal(0, 4, (h, w, 3))

    return paint


class _Canvas:
    """An image and its label map, painted region by region."""

    def __init__(self, h: int, w: int, background: int):
        self.img = np.zeros((h, w, 3), np.float32)
        self.label = np.full((h, w), background, np.uint8)

    def fill(self, mask: np.ndarray, label: int, painter: Painter, rng):
        h, w = self.label.shape
        self.img[mask] = painter(rng, h, w)[mask]
        self.label[mask] = label

    def shape_mask(self, kind: str, box) -> np.ndarray:
        h, w = self.label.shape
        layer = Image.new('L', (w, h))
        draw = ImageDraw.Draw(layer)
        getattr(draw, kind)(box, fill=1)
        return np.asarray(layer, bool)

    def save(self, img_path: str, label_path: str):
        for path in (img_path, label_path):
            os.makedirs(osp.dirname(path), exist_ok=True)
        Image.fromarray(self.img.clip(0, 255).astype(np.uint8)).save(img_path, quality=95)
        Image.fromarray(self.label).save(label_path)


# Cityscapes train ids used by the toy streets (the other classes simply never occur).
ROAD, SIDEWALK, BUILDING, POLE, SIGN, VEGETATION, SKY, PERSON, CAR = 0, 1, 2, 5, 7, 8, 10, 11, 13
STREET_PAINTERS: Dict[int, Painter] = {
    ROAD: _flat((70, 70, 75)),
    SIDEWALK: _stripes((150, 140, 140), (120, 110, 110), period=6),
    BUILDING: _stripes((140, 100, 80), (60, 50, 50), period=8, vertical=True),
    POLE: _flat((170, 170, 170), noise=3),
    SIGN: _flat((230, 200, 20), noise=3),
    VEGETATION: _speckle((40, 120, 40), (90, 170, 60)),
    SKY: _gradient((110, 160, 230), (200, 220, 250)),
    PERSON: _speckle((200, 60, 60), (240, 190, 150)),
    CAR: _flat((30, 60, 160), jitter=60, noise=4),
}


def draw_street(rng: np.random.Generator, h: int, w: int) -> _Canvas:
    """A Cityscapes-like street: sky, buildings and trees on a horizon, sidewalk and
    road below, cars on the road, people on the sidewalk, poles with signs; the bottom
    rows are an 'ego vehicle' strip labelled 255 (ignored), as in Cityscapes."""
    canvas = _Canvas(h, w, ROAD)
    horizon = int(h * rng.uniform(0.35, 0.5))
    curb = int(horizon + (h - horizon) * rng.uniform(0.15, 0.3))
    rows = np.arange(h)[:, None].repeat(w, 1)
    canvas.fill(rows < horizon, SKY, STREET_PAINTERS[SKY], rng)
    canvas.fill((rows >= horizon) & (rows < curb), SIDEWALK, STREET_PAINTERS[SIDEWALK], rng)
    canvas.fill(rows >= curb, ROAD, STREET_PAINTERS[ROAD], rng)
    x = 0
    while x < w:  # skyline of buildings and trees
        width = int(rng.uniform(0.1, 0.3) * w)
        top = int(horizon * rng.uniform(0.1, 0.7))
        if rng.random() < 0.7:
            mask = canvas.shape_mask('rectangle', (x, top, x + width, horizon))
            canvas.fill(mask, BUILDING, STREET_PAINTERS[BUILDING], rng)
        else:
            mask = canvas.shape_mask('ellipse', (x, top, x + width, horizon + 4))
            canvas.fill(mask, VEGETATION, STREET_PAINTERS[VEGETATION], rng)
        x += width
    for _ in range(int(rng.integers(1, 3))):  # poles with signs
        px, ph = int(rng.uniform(0, w)), int(rng.uniform(0.3, 0.5) * h)
        pw = max(2, w // 80)
        canvas.fill(
            canvas.shape_mask('rectangle', (px, curb - ph, px + pw, curb)),
            POLE,
            STREET_PAINTERS[POLE],
            rng,
        )
        s = max(4, w // 30)
        canvas.fill(
            canvas.shape_mask('rectangle', (px - s, curb - ph, px + s, curb - ph + s)),
            SIGN,
            STREET_PAINTERS[SIGN],
            rng,
        )
    for _ in range(int(rng.integers(1, 4))):  # cars
        cw, ch = int(rng.uniform(0.12, 0.25) * w), int(rng.uniform(0.08, 0.15) * h)
        cx, cy = int(rng.uniform(0, w - cw)), int(rng.uniform(curb, h * 0.85))
        canvas.fill(
            canvas.shape_mask('rounded_rectangle', (cx, cy - ch, cx + cw, cy)),
            CAR,
            STREET_PAINTERS[CAR],
            rng,
        )
    for _ in range(int(rng.integers(1, 4))):  # people
        pw, ph = max(3, int(0.03 * w)), int(rng.uniform(0.12, 0.2) * h)
        px, py = int(rng.uniform(0, w - pw)), int(rng.uniform(horizon + 2, curb + 3))
        canvas.fill(
            canvas.shape_mask('ellipse', (px, py - ph, px + pw, py)),
            PERSON,
            STREET_PAINTERS[PERSON],
            rng,
        )
    canvas.label[int(h * 0.94) :] = 255
    return canvas


# ADE20K ids (1-based; 0 = other) used by the toy rooms.
WALL, FLOOR, CEILING, BED, WINDOW, CABINET, DOOR, TABLE, CHAIR, LAMP = (
    1,
    4,
    6,
    8,
    9,
    11,
    15,
    16,
    20,
    37,
)
ROOM_PAINTERS: Dict[int, Painter] = {
    0: _speckle((90, 90, 90), (160, 60, 160)),  # clutter: 'other'
    WALL: _flat((200, 190, 160), jitter=25),
    FLOOR: _stripes((150, 100, 60), (120, 80, 50), period=10),
    CEILING: _flat((235, 235, 230), noise=3),
    BED: _stripes((60, 90, 170), (220, 220, 240), period=12),
    WINDOW: _gradient((120, 180, 240), (170, 210, 250)),
    CABINET: _stripes((100, 60, 30), (70, 40, 20), period=14, vertical=True),
    DOOR: _flat((130, 80, 40), noise=4),
    TABLE: _flat((170, 120, 70), noise=3),
    CHAIR: _speckle((180, 40, 40), (120, 20, 20)),
    LAMP: _flat((250, 240, 150), noise=2),
}


def draw_room(rng: np.random.Generator, h: int, w: int) -> _Canvas:
    """An ADE20K-like room: ceiling, wall and floor bands with furniture and clutter."""
    canvas = _Canvas(h, w, WALL)
    ceiling = int(h * rng.uniform(0.08, 0.2))
    floor = int(h * rng.uniform(0.6, 0.75))
    rows = np.arange(h)[:, None].repeat(w, 1)
    canvas.fill(rows < ceiling, CEILING, ROOM_PAINTERS[CEILING], rng)
    canvas.fill((rows >= ceiling) & (rows < floor), WALL, ROOM_PAINTERS[WALL], rng)
    canvas.fill(rows >= floor, FLOOR, ROOM_PAINTERS[FLOOR], rng)
    wall_items = [WINDOW, DOOR, CABINET]
    for label in rng.choice(wall_items, size=int(rng.integers(1, 3)), replace=False):
        iw, ih = int(rng.uniform(0.15, 0.3) * w), int((floor - ceiling) * rng.uniform(0.4, 0.8))
        ix = int(rng.uniform(0, w - iw))
        top = floor - ih if label != WINDOW else ceiling + int(0.1 * (floor - ceiling))
        canvas.fill(
            canvas.shape_mask('rectangle', (ix, top, ix + iw, top + ih)),
            int(label),
            ROOM_PAINTERS[int(label)],
            rng,
        )
    floor_items = [BED, TABLE, CHAIR, CHAIR, 0]
    for label in rng.choice(floor_items, size=int(rng.integers(2, 4))):
        iw, ih = int(rng.uniform(0.15, 0.35) * w), int(rng.uniform(0.12, 0.25) * h)
        ix, iy = int(rng.uniform(0, w - iw)), int(rng.uniform(floor, h))
        kind = 'ellipse' if label == 0 else 'rectangle'
        canvas.fill(
            canvas.shape_mask(kind, (ix, iy - ih, ix + iw, iy)),
            int(label),
            ROOM_PAINTERS[int(label)],
            rng,
        )
    if rng.random() < 0.6:
        lx, s = int(rng.uniform(0.1, 0.9) * w), max(4, w // 16)
        canvas.fill(
            canvas.shape_mask('ellipse', (lx - s, ceiling, lx + s, ceiling + s)),
            LAMP,
            ROOM_PAINTERS[LAMP],
            rng,
        )
    return canvas


def _generate(
    root: str,
    splits: Tuple[Tuple[str, int], ...],
    seed: int,
    draw,
    size,
    paths: Callable[[str, int], Tuple[str, str]],
) -> str:
    done = osp.join(root, '.complete')
    if osp.isfile(done):
        return root
    for stream, (split, count) in enumerate(splits):
        rng = np.random.default_rng([seed, stream])
        for n in range(count):
            draw(rng, *size).save(*paths(split, n))
    open(done, 'w').close()  # written last: marks a complete set
    return root


def generate_toy_cityscapes(
    root: str, train: int = 120, val: int = 30, size=(128, 256), seed: int = 0
) -> str:
    """Write toy streets in the Cityscapes layout under ``root`` (H, W = ``size``)."""

    def paths(split, n):
        stem = f'toyville_000000_{n:06d}'
        return (
            osp.join(root, 'leftImg8bit', split, 'toyville', f'{stem}_leftImg8bit.png'),
            osp.join(root, 'gtFine', split, 'toyville', f'{stem}_gtFine_labelTrainIds.png'),
        )

    return _generate(root, (('train', train), ('val', val)), seed, draw_street, size, paths)


def generate_toy_ade20k(
    root: str, train: int = 120, val: int = 30, size=(128, 128), seed: int = 0
) -> str:
    """Write toy rooms in the ADE20K layout under ``root/ADEChallengeData2016``."""
    base = osp.join(root, 'ADEChallengeData2016')

    def paths(split, n):
        folder, tag = ('training', 'train') if split == 'train' else ('validation', 'val')
        stem = f'ADE_{tag}_{n + 1:08d}'
        return (
            osp.join(base, 'images', folder, f'{stem}.jpg'),
            osp.join(base, 'annotations', folder, f'{stem}.png'),
        )

    return _generate(root, (('train', train), ('val', val)), seed, draw_room, size, paths)
