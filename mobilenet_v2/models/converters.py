"""State-dict key maps from other MobileNetV2 layouts to ours (mmpretrain's).

Ours: ``backbone.conv1.{conv,bn}``, ``backbone.layer{i}.{j}.conv.{k}.{conv,bn}``,
``backbone.conv2.{conv,bn}``, ``head.fc``. mmseg's checkpoints already use it (without
``conv2``); torchvision's, mmdet's, timm's and Keras Applications' need these maps,
used by tools/model_converters/.
"""

import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import numpy as np
import torch

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


# timm's EfficientNet-builder names inside a block, by our conv index: (conv, its BN)
TIMM_BLOCK_PARTS = {
    False: (('conv_dw', 'bn1'), ('conv_pw', 'bn2')),  # t = 1: depthwise-separable
    True: (('conv_pw', 'bn1'), ('conv_dw', 'bn2'), ('conv_pwl', 'bn3')),
}
TIMM_OUTER = {
    'conv_stem': 'backbone.conv1.conv',
    'bn1': 'backbone.conv1.bn',
    'conv_head': 'backbone.conv2.conv',
    'bn2': 'backbone.conv2.bn',
    'classifier': 'head.fc',
}


def timm_to_ours(state_dict: Dict) -> 'OrderedDict':
    """timm's ``mobilenetv2_050/100/140`` (``conv_stem``, ``blocks.S.J.*``,
    ``conv_head``, ``classifier``) to ours. timm's stage S is our ``layer{S+1}``; its
    blocks name convs and BNs separately (``conv_pw``/``bn1``, ...), ours wrap each conv
    with its BN (``conv.K.conv``/``conv.K.bn``). Raises KeyError for a key of another
    model."""
    names = {}
    for stage, block, expands in _blocks():
        for k, (conv, bn) in enumerate(TIMM_BLOCK_PARTS[expands]):
            ours = f'backbone.layer{stage}.{block}.conv.{k}'
            names[f'blocks.{stage - 1}.{block}.{conv}'] = f'{ours}.conv'
            names[f'blocks.{stage - 1}.{block}.{bn}'] = f'{ours}.bn'
    names.update(TIMM_OUTER)
    converted = OrderedDict()
    for key, value in state_dict.items():
        module, param = key.rsplit('.', 1)
        if module not in names:
            hint = (
                " (torchvision's layout: torchvision2mmpretrain.py)"
                if key.startswith('features.')
                else ''
            )
            raise KeyError(f'unexpected key in a timm mobilenetv2 state dict: {key}{hint}')
        converted[f'{names[module]}.{param}'] = value
    return converted


def _keras_layers() -> List[Tuple[str, str]]:
    """(Keras Applications layer, our module) of MobileNetV2's convs and BNs: ``Conv1``
    (stem), ``expanded_conv_*`` (block 0), ``block_{1..16}_{expand,depthwise,project}``,
    ``Conv_1`` (the last 1x1 conv); each BN is the layer name + ``_BN`` (``bn_Conv1``,
    ``Conv_1_bn`` at the ends)."""
    layers = [('Conv1', 'backbone.conv1.conv'), ('bn_Conv1', 'backbone.conv1.bn')]
    for index, (stage, block, expands) in enumerate(_blocks()):
        prefix = 'expanded_conv' if index == 0 else f'block_{index}'
        parts = ('expand', 'depthwise', 'project') if expands else ('depthwise', 'project')
        for k, part in enumerate(parts):
            ours = f'backbone.layer{stage}.{block}.conv.{k}'
            layers += [(f'{prefix}_{part}', f'{ours}.conv'), (f'{prefix}_{part}_BN', f'{ours}.bn')]
    return layers + [
        ('Conv_1', 'backbone.conv2.conv'),
        ('Conv_1_bn', 'backbone.conv2.bn'),
        ('predictions', 'head.fc'),
    ]


KERAS_PARAMS = {
    'kernel': 'weight',
    'depthwise_kernel': 'weight',
    'bias': 'bias',
    'gamma': 'weight',
    'beta': 'bias',
    'moving_mean': 'running_mean',
    'moving_variance': 'running_var',
}


def keras_to_ours(weights: Dict[str, Dict[str, np.ndarray]]) -> 'OrderedDict':
    """Keras Applications' MobileNetV2 (``{layer: {'kernel': array, ...}}``, TF layouts)
    to ours, as torch tensors: conv kernels HWIO -> OIHW, depthwise HWC1 -> C1HW, the
    Dense ``predictions`` kernel (in, out) -> (out, in). Keras' BNs use eps 1e-3 and its
    stride-2 convs TF "same" padding: build the model with
    ``norm_cfg=dict(type='BN', eps=1e-3)`` and ``tf_padding=True`` for equal outputs.
    Raises KeyError for a missing layer."""
    converted = OrderedDict()
    for layer, ours in _keras_layers():
        if layer not in weights:
            if layer == 'predictions':  # include_top=False weights: a backbone only
                continue
            raise KeyError(f'Keras MobileNetV2 weights without layer {layer!r}')
        for name, array in weights[layer].items():
            if name == 'depthwise_kernel':
                array = array.transpose(2, 3, 0, 1)
            elif name == 'kernel':
                array = array.T if array.ndim == 2 else array.transpose(3, 2, 0, 1)
            converted[f'{ours}.{KERAS_PARAMS[name]}'] = torch.from_numpy(
                np.ascontiguousarray(array)
            )
    return converted


def read_keras_h5(path: str) -> Dict[str, Dict[str, np.ndarray]]:
    """``{layer: {param: array}}`` of a Keras 2 HDF5 weights file (``model.save_weights``
    or Keras Applications' download: each layer group lists its ``weight_names``, e.g.
    ``Conv1/kernel:0``). Needs h5py (requirements/optional.txt)."""
    import h5py

    weights = {}
    with h5py.File(path, 'r') as f:
        root = f['model_weights'] if 'model_weights' in f else f  # a whole-model file
        for layer in root.attrs['layer_names']:
            layer = layer.decode() if isinstance(layer, bytes) else layer
            group = root[layer]
            params = {}
            for name in group.attrs['weight_names']:
                name = name.decode() if isinstance(name, bytes) else name
                params[name.split('/')[-1].split(':')[0]] = group[name][()]
            if params:
                weights[layer] = params
    return weights
