"""A small ImageNet-format classification set of procedurally drawn shapes.

Layout (mmpretrain's ImageNet on disk)::

    ROOT/train/n9000000K/n9000000K_NNNN.JPEG    ROOT/meta/train.txt  "n9000000K/... K"
    ROOT/val/ILSVRC2012_val_NNNNNNNN.JPEG      ROOT/meta/val.txt    "ILSVRC2012_... K"

Each class is a shape or texture drawn at a random place, size and colour on a noisy
gradient background, so classes are distinguishable but not trivially (colour says
nothing about the class). Train and val are drawn from disjoint random streams.
"""

import os
import os.path as osp
from typing import Callable, Dict

import numpy as np
from PIL import Image, ImageDraw

CLASSES = (
    'circle',
    'square',
    'triangle',
    'cross',
    'ring',
    'horizontal_stripes',
    'vertical_stripes',
    'checkerboard',
    'diamond',
    'dots',
)


def random_colour(rng: np.random.Generator, avoid: np.ndarray = None) -> tuple:
    while True:
        colour = rng.integers(0, 256, 3)
        if avoid is None or np.abs(colour - avoid).sum() > 200:
            return tuple(int(c) for c in colour)


def noisy_background(rng: np.random.Generator, size: int) -> tuple:
    """A random colour with a gradient and pixel noise; returns (image, base colour)."""
    base = rng.integers(0, 256, 3).astype(np.float32)
    ramp = np.linspace(-1, 1, size, dtype=np.float32)
    direction = rng.uniform(-40, 40, (2, 3)).astype(np.float32)
    img = (
        base
        + ramp[:, None, None] * direction[0]
        + ramp[None, :, None] * direction[1]
        + rng.normal(0, 12, (size, size, 3))
    )
    return Image.fromarray(img.clip(0, 255).astype(np.uint8)), base


def _box(rng, size):
    r = rng.uniform(0.18, 0.38) * size
    cx, cy = rng.uniform(r, size - r, 2)
    return cx, cy, r


def _draw_circle(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)


def _draw_square(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=colour)


def _draw_triangle(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)


def _draw_cross(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    w = r / 3
    draw.rectangle([cx - r, cy - w, cx + r, cy + w], fill=colour)
    draw.rectangle([cx - w, cy - r, cx + w, cy + r], fill=colour)


def _draw_ring(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=max(2, int(r / 4)))


def _draw_stripes(draw, rng, size, colour, horizontal):
    cx, cy, r = _box(rng, size)
    period = max(4, int(r / 2))
    for offset in range(int(-r), int(r), period):
        if horizontal:
            draw.rectangle([cx - r, cy + offset, cx + r, cy + offset + period // 2], fill=colour)
        else:
            draw.rectangle([cx + offset, cy - r, cx + offset + period // 2, cy + r], fill=colour)


def _draw_checkerboard(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    cell = max(3, int(r / 2.5))
    for i, x in enumerate(range(int(cx - r), int(cx + r), cell)):
        for j, y in enumerate(range(int(cy - r), int(cy + r), cell)):
            if (i + j) % 2 == 0:
                draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=colour)


def _draw_diamond(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=colour)


def _draw_dots(draw, rng, size, colour):
    cx, cy, r = _box(rng, size)
    for _ in range(int(rng.integers(5, 9))):
        x, y = rng.uniform(-r, r, 2) + (cx, cy)
        d = rng.uniform(0.06, 0.1) * size
        draw.ellipse([x - d, y - d, x + d, y + d], fill=colour)


DRAWERS: Dict[str, Callable] = {
    'circle': _draw_circle,
    'square': _draw_square,
    'triangle': _draw_triangle,
    'cross': _draw_cross,
    'ring': _draw_ring,
    'horizontal_stripes': lambda d, g, s, c: _draw_stripes(d, g, s, c, horizontal=True),
    'vertical_stripes': lambda d, g, s, c: _draw_stripes(d, g, s, c, horizontal=False),
    'checkerboard': _draw_checkerboard,
    'diamond': _draw_diamond,
    'dots': _draw_dots,
}


def draw_sample(rng: np.random.Generator, label: int, size: int) -> Image.Image:
    img, base = noisy_background(rng, size)
    DRAWERS[CLASSES[label]](ImageDraw.Draw(img), rng, size, random_colour(rng, avoid=base))
    return img


def wnid(label: int) -> str:
    """An ImageNet-style synset id for toy class ``label`` (n9... is no real synset)."""
    return f'n9{label:07d}'


def generate_toy_imagenet(
    root: str, train_per_class: int = 200, val_per_class: int = 30, size: int = 64, seed: int = 0
) -> str:
    """Write the toy set under ``root`` (skipped when its meta files exist); returns root."""
    if all(osp.isfile(osp.join(root, 'meta', f'{s}.txt')) for s in ('train', 'val')):
        return root
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    for split, per_class, stream in (('train', train_per_class, 0), ('val', val_per_class, 1)):
        rng = np.random.default_rng([seed, stream])
        lines = []
        for n in range(per_class * len(CLASSES)):
            label = n % len(CLASSES)
            if split == 'train':
                name = f'{wnid(label)}/{wnid(label)}_{n // len(CLASSES):04d}.JPEG'
            else:
                name = f'ILSVRC2012_val_{n + 1:08d}.JPEG'
            path = osp.join(root, split, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            draw_sample(rng, label, size).save(path, format='JPEG', quality=95)
            lines.append(f'{name} {label}\n')
        # written last: its presence marks a complete split
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.writelines(lines)
    return root
