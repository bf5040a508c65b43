"""State-dict key maps from other MobileNetV2 layouts to ours (mmpretrain's).

Ours: ``backbone.conv1.{conv,bn}``, ``backbone.layer{i}.{j}.conv.{k}.{conv,bn}``,
``backbone.conv2.{conv,bn}``, ``head.fc``. mmseg's checkpoints already use it (without
``conv2``); torchvision's and mmdet's need these maps, used by
tools/model_converters/.
"""

import re
from collections import OrderedDict
from typing import Dict, List, Tuple

from .arch import TABLE_2


def _blocks() -> List[Tuple[int, int, bool]]:
    """(stage number 1..7, block index, has expansion conv) of the 17 bottlenecks."""
    return [(i + 1, j, stage.t != 1) for i, stage in enumerate(TABLE_2) for j in range(stage.n)]


def torchvision_to_ours(state_dict: Dict) -> 'OrderedDict':
    """torchvision.models.mobilenet_v2 (``features.N``, ``classifier.1``) to ours.

    torchvision's block ``conv`` holds Conv2dNormActivation modules followed by a bare
    projection conv and its BN: (t != 1) ``0.0/0.1, 1.0/1.1, 2, 3``; (t == 1)
    ``0.0/0.1, 1, 2``. Ours wraps every conv with its BN: ``0, 1, 2`` each ``conv/bn``.
    """
    blocks = _blocks()
    last = len(blocks) + 1
    converted = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('classifier.1.'):
            converted['head.fc.' + key[len('classifier.1.') :]] = value
            continue
        m = re.match(r'features\.(\d+)\.(.+)', key)
        if m is None:
            raise KeyError(f'unexpected key in a torchvision mobilenet_v2 state dict: {key}')
        index, rest = int(m.group(1)), m.group(2)
        if index in (0, last):
            sub, param = rest.split('.', 1)
            name = 'conv1' if index == 0 else 'conv2'
            converted[f'backbone.{name}.{"conv" if sub == "0" else "bn"}.{param}'] = value
            continue
        stage, block, expands = blocks[index - 1]
        parts = rest.split('.')  # conv, k, [m], param
        k = int(parts[1])
        projection = 2 if expands else 1  # torchvision index of the bare projection conv
        if k < projection:
            ours, kind, param = k, 'conv' if parts[2] == '0' else 'bn', '.'.join(parts[3:])
        else:
            ours, kind, param = projection, 'conv' if k == projection else 'bn', '.'.join(parts[2:])
        converted[f'backbone.layer{stage}.{block}.conv.{ours}.{kind}.{param}'] = value
    return converted


MMDET_BLOCK_PARTS = ('expand_conv', 'depthwise_conv', 'linear_conv')


def _rename_block_convs(state_dict: Dict, conv_name: str, rename) -> 'OrderedDict':
    """Rename ``[<prefix>.]layerS.J.<conv_name>.rest`` keys (a whole model's, or a
    backbone's own) with ``rename(conv_name_match, has_expansion)``; other keys are kept
    as they are."""
    expands = {(stage, block): e for stage, block, e in _blocks()}
    pattern = re.compile(rf'((?:.*\.)?layer(\d+)\.(\d+)\.)({conv_name})\.(.+)')
    converted, unknown = OrderedDict(), []
    for key, value in state_dict.items():
        m = pattern.fullmatch(key)
        if m is None:
            converted[key] = value
            continue
        prefix, stage, block, name, rest = m.groups()
        if (int(stage), int(block)) not in expands:
            unknown.append(key)
            continue
        converted[f'{prefix}{rename(name, expands[int(stage), int(block)])}.{rest}'] = value
    if unknown:
        raise KeyError(
            f'{len(unknown)} keys name blocks MobileNetV2 does not have (Table 2: layer1..'
            f'layer7 of 1, 2, 3, 4, 3, 3, 1 blocks): {unknown[:5]}'
        )
    return converted


def mmdet_to_ours(state_dict: Dict) -> 'OrderedDict':
    """mmdet's MobileNetV2 block names (``expand_conv``, ``depthwise_conv``,
    ``linear_conv``) to ours (``conv.0/1/2``; ``conv.0/1`` without expansion).

    Keys outside the backbone's blocks (neck, head, ``conv1``, ``conv2``) are kept.

    Raises:
        KeyError: listing the keys that name blocks MobileNetV2 does not have, or still
            hold mmdet's block names afterwards (a layout this map does not know);
            nothing is returned half-converted.
    """
    converted = _rename_block_convs(
        state_dict,
        '|'.join(MMDET_BLOCK_PARTS),
        lambda name, expands: f'conv.{MMDET_BLOCK_PARTS.index(name) - (0 if expands else 1)}',
    )
    left = [k for k in converted if re.search(r'\.(expand_conv|linear_conv)\.', f'.{k}')]
    if left:
        raise KeyError(f'{len(left)} mmdet MobileNetV2 keys could not be mapped: {left[:5]} ...')
    return converted


def ours_to_mmdet(state_dict: Dict) -> 'OrderedDict':
    """The inverse of ``mmdet_to_ours`` (for loading our weights into mmdet's model)."""
    return _rename_block_convs(
        state_dict,
        r'conv\.\d',
        lambda name, expands: MMDET_BLOCK_PARTS[int(name[-1]) + (0 if expands else 1)],
    )
