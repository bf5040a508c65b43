"""Loading and checking configs at the tools' boundary, with one-line errors."""

import inspect
import os.path as osp
import warnings
from typing import Optional

from mmengine.config import Config, ConfigDict

from ..arguments import TOY_SETS
from ..messages import ConfigError, ToolboxWarning
from ..models import MobileNetV2
from ..models.arch import network_plan

# The toolboxes our configs run under, decided by the config's default_scope.
SCOPES = ('mmseg', 'mmdet', 'mmpretrain')
# configs/ as installed with the package (setup.py links or copies it there)
CONFIG_ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim', 'configs')


def config_path(name: str) -> str:
    """Absolute path of a config shipped with the package, e.g. ``config_path(
    'fcn/mobilenet-v2-d8_fcn_4xb4-80k_cityscapes-512x1024.py')``. Configs elsewhere
    inherit ours by that path (``_base_ = '/.../mobilenet_v2/.mim/configs/fcn/...'``):
    mmengine 0.10.7 resolves ``'pkg::'`` only for OpenMMLab's own packages.

    Raises:
        ConfigError: no such config; the message names the configs folder.
    """
    path = osp.join(CONFIG_ROOT, name)
    if not osp.isfile(path):
        raise ConfigError(f'no config {name} in {CONFIG_ROOT}')
    return path


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    if not osp.isfile(path):
        raise ConfigError(f'config file {path} does not exist')
    try:
        cfg = Config.fromfile(path)
    except AssertionError as err:
        if 'does not support to load mobilenet_v2 config' not in str(err):
            raise ConfigError(f'cannot load config {path}: AssertionError: {err}') from err
        raise ConfigError(
            f"{path}: mmengine resolves '<package>::' only for OpenMMLab's own packages; "
            f"inherit our configs by path: _base_ = '{CONFIG_ROOT}/<folder>/<config>.py' "
            '(mobilenet_v2.apis.config_path gives it)'
        ) from err
    except Exception as err:  # mmengine raises many kinds; the user needs the file and why
        raise ConfigError(f'cannot load config {path}: {type(err).__name__}: {err}') from err
    if cfg_options:
        from .options import check_option_keys  # it imports the registries' modules

        check_option_keys(cfg, cfg_options)
        created = _fill_none_nodes(cfg, cfg_options)
        try:
            cfg.merge_from_dict(cfg_options)
        except (TypeError, RecursionError, KeyError) as err:
            keys = ', '.join(cfg_options)
            reason = str(err).split(' You may set')[0]  # mmengine's hint names its own API
            raise ConfigError(f'--cfg-options {keys}: {type(err).__name__}: {reason}') from None
        for key in created:  # a node that was None, now built from options alone
            node = cfg
            for part in key.split('.'):
                node = node[part]
            if 'type' not in node:
                raise ConfigError(
                    f'--cfg-options: {key} was None in the config; give its type too, e.g. '
                    f'{key}.type=Pretrained {key}.checkpoint=PATH'
                )
    scope = cfg.get('default_scope')
    _map_model_pretrained(cfg)
    if scope not in SCOPES:
        raise ConfigError(
            f'{path}: default_scope is {scope!r}; it must be one of {SCOPES} '
            "(inherit the toolbox's default_runtime.py)"
        )
    return cfg


def _fill_none_nodes(cfg: Config, options: dict) -> list:
    """Replace each None node that an option sets a key of (``init_cfg=None`` and
    ``model.backbone.init_cfg.checkpoint=PATH``) with an empty dict, so the option
    builds it; returns those nodes' keys. mmengine refuses to merge into None."""
    created = []
    for option in options:
        node, parts = cfg, option.split('.')
        for depth, part in enumerate(parts[:-1]):
            if not isinstance(node, (dict, Config)) or part not in node:
                break
            if node[part] is None:
                node[part] = ConfigDict()
                created.append('.'.join(parts[: depth + 1]))
            node = node[part]
    return created


def _map_model_pretrained(cfg: Config):
    """mmseg's and mmdet's classic ``model.pretrained=CHECKPOINT`` (mmseg's own M-V2
    configs: ``pretrained='mmcls://mobilenet_v2'``): their route, with their warning,
    is the backbone's ``init_cfg``; our configs give the backbone an ``init_cfg``, which
    upstream refuses beside ``pretrained`` (and mmdet's detectors take no ``pretrained``).
    So it replaces the backbone's ``init_cfg`` here, saying so."""
    model = cfg.get('model') or {}
    pretrained = model.get('pretrained') if cfg.get('default_scope') in ('mmseg', 'mmdet') else None
    if pretrained is None or 'backbone' not in model:
        return
    warnings.warn(
        ToolboxWarning(
            f'model.pretrained is deprecated (mmseg, mmdet): loading {pretrained} as '
            f"model.backbone.init_cfg=dict(type='Pretrained', checkpoint={pretrained!r})"
        ),
        stacklevel=3,
    )
    model.backbone.init_cfg = dict(type='Pretrained', checkpoint=pretrained)
    model.backbone.pop('pretrained', None)
    del model['pretrained']


def dataset_roots(cfg: Config):
    """(key, data_root) of every dataloader's dataset, through wrappers like RepeatDataset."""
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset')
        key = f'{loader}.dataset'
        while dataset is not None and 'dataset' in dataset:  # RepeatDataset & co.
            dataset, key = dataset['dataset'], f'{key}.dataset'
        if dataset is not None and dataset.get('data_root'):
            yield f'{key}.data_root', dataset['data_root']


def check_data_roots(cfg: Config, loaders=('train', 'val', 'test')):
    """Fail early, naming the key, when a dataset root the run needs is missing."""
    for key, root in dataset_roots(cfg):
        if key.split('_')[0] in loaders and not osp.isdir(root):
            raise ConfigError(
                f'{key} = {root!r} does not exist: point it at your data with '
                f'--cfg-options {key}=PATH (layouts: docs/datasets.md)'
            )


def _pretrained_checkpoints(node, key: str):
    """(key, checkpoint) of every ``init_cfg`` of type Pretrained under ``node``."""
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained' and isinstance(node.get('checkpoint'), str):
            yield f'{key}.checkpoint', node['checkpoint']
        for child, value in node.items():
            yield from _pretrained_checkpoints(value, f'{key}.{child}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _pretrained_checkpoints(value, f'{key}.{i}')


def check_pretrained_paths(cfg: Config):
    """Fail before training, naming the key, when a local Pretrained checkpoint is missing
    (URLs and mmengine schemes such as mmcls:// are left to their loaders)."""
    checkpoints = list(_pretrained_checkpoints(cfg.model, 'model'))
    if isinstance(cfg.model.get('pretrained'), str):  # mmpretrain's whole-model route
        checkpoints.append(('model.pretrained', cfg.model.pretrained))
    for key, path in checkpoints:
        if '://' not in path and not osp.isfile(osp.expanduser(path)):
            raise ConfigError(
                f'{key} = {path!r} does not exist: point it at your weights '
                f'with --cfg-options {key}=PATH'
            )


def head_inputs(model_cfg):
    """(head key, in_channels as written, index into the backbone's outputs) of every
    head or neck that reads the backbone, for the model types our configs use."""
    if model_cfg.type == 'ImageClassifier':
        yield 'head.in_channels', model_cfg.head.in_channels, -1
    if model_cfg.type == 'SingleStageDetector':  # the neck takes every backbone output
        for index, in_channels in enumerate(model_cfg.neck.in_channels):
            yield f'neck.in_channels[{index}]', in_channels, index
    for key in ('decode_head', 'auxiliary_head'):
        head = model_cfg.get(key)
        if head:
            yield f'{key}.in_channels', head.in_channels, head.get('in_index', -1)
            if 'c1_in_channels' in head:
                yield f'{key}.c1_in_channels', head.c1_in_channels, head.get('c1_in_index', 0)


def backbone_output_specs(cfg: Config) -> list:
    """``OutputSpec`` (module path, channels, stride) of each output of the config's
    MobileNetV2, from the plan alone (nothing is built), or [] for another backbone.
    Raises ConfigError naming ``model.backbone`` for bad arguments."""
    backbone = cfg.model.get('backbone') or {}
    if backbone.get('type') != 'mobilenet_v2.MobileNetV2':
        return []
    defaults = inspect.signature(MobileNetV2).parameters
    args = {k: backbone.get(k, p.default) for k, p in defaults.items()}
    try:
        plan = network_plan(*(args[k] for k in inspect.signature(network_plan).parameters))
        return list(plan.outputs(args['out_indices'], args['expansion_outputs']))
    except (TypeError, ValueError) as err:
        raise ConfigError(f'model.backbone: {err}') from None


def check_head_channels(cfg: Config):
    """Fail before anything is built or written when a head's (or neck's) in_channels
    do not match the backbone output it reads; the message names both and the fix
    (torch would only say so with a raw conv error at the first forward)."""
    specs = backbone_output_specs(cfg)
    if not specs:
        return
    outputs = ', '.join(f'{s.name}: {s.channels}' for s in specs)
    neck = cfg.model.get('neck') or {}
    if cfg.model.type == 'SingleStageDetector' and len(neck.in_channels) != len(specs):
        raise ConfigError(
            f'model.neck.in_channels has {len(neck.in_channels)} entries but the backbone '
            f'gives {len(specs)} outputs ({outputs}): give one per output'
        )
    for key, in_channels, index in head_inputs(cfg.model):
        if not -len(specs) <= index < len(specs):
            head = key.split('.')[0]
            raise ConfigError(
                f'model.{head} reads backbone output {index} (its in_index) but the backbone '
                f'gives {len(specs)} ({outputs}): in_index counts these outputs from 0, '
                f'so use 0..{len(specs) - 1}, or request more with model.backbone.out_indices'
            )
        if in_channels != specs[index].channels:
            raise ConfigError(
                f'model.{key} is {in_channels} but the backbone output it reads, '
                f'{specs[index].name}, has {specs[index].channels} channels (outputs: '
                f'{outputs}): set model.{key}={specs[index].channels} or change '
                'model.backbone.out_indices'
            )


def build_split_dataset(cfg: Config, split: str):
    """The dataset of ``cfg.<split>_dataloader`` (wrappers such as RepeatDataset
    removed), built in the config's scope, to read images from outside a Runner.

    Raises:
        ConfigError: its files are missing; the message names the key to set.
    """
    from mmengine.registry import DATASETS, init_default_scope

    init_default_scope(cfg.default_scope)
    key = f'{split}_dataloader.dataset'
    try:
        dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    except FileNotFoundError as err:
        spec = cfg[f'{split}_dataloader'].dataset
        while 'data_root' not in spec and 'dataset' in spec:  # RepeatDataset and kin
            spec = spec.dataset
        # the toy sets' roots: data/toy_<kind>, or a folder in it (toy ADE20K's)
        parts = str(spec.get('data_root', '')).rstrip('/').split('/')
        toy = ''
        for i, part in enumerate(parts):
            if part.startswith('toy_') and part[len('toy_') :] in TOY_SETS:
                toy = (
                    ', or write the built-in toy set there: python tools/dataset_converters/'
                    f"make_toy_data.py {part[len('toy_'):]} {'/'.join(parts[: i + 1])}"
                )
                break
        raise ConfigError(
            f'{key} cannot be read ({err}): point --cfg-options {key}.data_root=PATH at '
            f'your data{toy}'
        ) from None
    except KeyError as err:  # an annotation file without a key its format needs
        if 'registry' in str(err):
            raise
        raise ConfigError(
            f'{key}: its annotation file {_annotation_file(cfg, split)} has no {err} entry '
            '(COCO files need "images", "annotations" and "categories"; docs/datasets.md)'
        ) from None
    except ValueError as err:  # mmengine serialises the list: empty gives no array
        if 'need at least one array' not in str(err):
            raise
        dataset = []
    if len(dataset) == 0:
        hint = (
            " (mmdet keeps only images with boxes of the config's metainfo.classes: do "
            "they match the file's categories?)"
            if cfg.default_scope == 'mmdet'
            else ''
        )
        raise ConfigError(
            f'{key} lists no samples (split {_annotation_file(cfg, split)}){hint}: fill the '
            f'split file or point {key}.data_root at your data'
        )
    while hasattr(dataset, 'dataset'):  # RepeatDataset & co.
        dataset = dataset.dataset
    return dataset


def check_datasets(cfg: Config, splits=('train', 'val', 'test')):
    """Build each split's dataset before the Runner writes anything: an empty split, an
    annotation file missing a key, or (detection) boxes outside their image are
    ConfigErrors naming the file. Costs one extra read of the annotation files."""
    for split in splits:
        if not cfg.get(f'{split}_dataloader'):
            continue
        dataset = build_split_dataset(cfg, split)
        check_files_listed(dataset, _annotation_file(cfg, split))
        if cfg.default_scope == 'mmdet':
            check_boxes_inside_images(dataset, _annotation_file(cfg, split))
        if cfg.default_scope == 'mmseg':
            check_label_sizes(dataset)


def check_files_listed(dataset, ann_file: str):
    """ConfigError naming the first image the split lists that is not there (one
    ``stat`` per file: seconds for ImageNet's 1.28M)."""
    missing = [
        path
        for path in (dataset.get_data_info(i)['img_path'] for i in range(len(dataset)))
        if not osp.isfile(path)
    ]
    if missing:
        raise ConfigError(
            f'{ann_file} lists {len(missing)} images that do not exist, first {missing[0]}: '
            'restore them, or remove them from the split'
        )


def check_label_sizes(dataset):
    """ConfigError naming the first label map whose size (read from the file headers,
    nothing decoded: about a millisecond per pair) differs from its image's, or whose
    header cannot be read, so that a validation label of the wrong size stops the run
    before training rather than at the first validation. Values are checked as each
    file is loaded (datasets/transforms.py)."""
    from PIL import Image, UnidentifiedImageError

    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        sizes = []
        for key in ('img_path', 'seg_map_path'):
            try:
                with Image.open(info[key]) as image:
                    sizes.append(image.size)
            except (UnidentifiedImageError, OSError) as err:
                raise ConfigError(
                    f'{info[key]} cannot be read ({err}): regenerate it, or remove its '
                    'sample from the split'
                ) from None
        if sizes[0] != sizes[1]:
            (iw, ih), (lw, lh) = sizes
            raise ConfigError(
                f"label {info['seg_map_path']} is {lw}x{lh} pixels, its image "
                f"{osp.basename(info['img_path'])} {iw}x{ih}: a label map must have its "
                "image's size (a resized or mismatched file)"
            )


def check_boxes_inside_images(dataset, ann_file: str, tolerance: float = 1.0):
    """ConfigError when a box (x1, y1, x2, y2 in pixels, as mmdet holds COCO's
    [x, y, w, h]) reaches more than ``tolerance`` pixels beyond its image."""
    outside, boxes = [], 0
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        w, h = info.get('width'), info.get('height')
        if w is None or h is None:
            return
        boxes += len(info.get('instances', []))
        for instance in info.get('instances', []):
            x1, y1, x2, y2 = instance['bbox']
            if min(x1, y1) < -tolerance or x2 > w + tolerance or y2 > h + tolerance:
                outside.append((info['img_path'], w, h, instance['bbox']))
    if not boxes:
        raise ConfigError(
            f'{ann_file} holds no boxes: box AP over it would be -1 (no ground truth); '
            'point the ann_file at annotated images'
        )
    if outside:
        path, w, h, (x1, y1, x2, y2) = outside[0]
        raise ConfigError(
            f'{ann_file}: {len(outside)} boxes reach outside their image, first in '
            f'{osp.basename(path)} ({w}x{h}): [x, y, w, h] = [{x1:g}, {y1:g}, {x2 - x1:g}, '
            f"{y2 - y1:g}]; COCO boxes are in the image's pixels: fix or drop them"
        )


def _annotation_file(cfg: Config, split: str) -> str:
    dataset = cfg[f'{split}_dataloader'].dataset
    while 'dataset' in dataset:
        dataset = dataset.dataset
    root, ann = dataset.get('data_root') or '', dataset.get('ann_file') or ''
    if not ann and dataset.get('split'):  # mmpretrain's ImageNet: meta/<split>.txt
        ann = osp.join('meta', f"{dataset['split']}.txt")
    prefix = dataset.get('data_prefix') or {}
    return osp.join(root, ann) if ann else osp.join(root, *(list(prefix.values())[:1]))
