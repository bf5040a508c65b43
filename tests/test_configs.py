"""Every config loads, and every head's input channels match what the backbone reports."""

import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mobilenet_v2.apis.config import backbone_output_specs, check_head_channels, head_inputs
from mobilenet_v2.datasets import TOY_COCO_CLASSES, TOY_IMAGENET_CLASSES

from .conftest import ROOT

CONFIGS = sorted(
    p
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p
)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_heads_match_backbone_outputs(path):
    cfg = Config.fromfile(path)
    assert cfg.model.backbone.type == 'mobilenet_v2.MobileNetV2'
    specs = backbone_output_specs(cfg)
    checked = list(head_inputs(cfg.model))
    assert checked
    for key, in_channels, index in checked:
        assert in_channels == specs[index].channels, (key, specs[index])
    check_head_channels(cfg)  # what the tools run before building anything


def test_a_config_elsewhere_inherits_ours_by_the_installed_path(tmp_path):
    from mobilenet_v2.apis import config_path, load_config

    name = 'mobilenet_v2/mobilenet-v2_8xb32_in1k.py'
    mine = tmp_path / 'mine.py'
    mine.write_text(f"_base_ = '{config_path(name)}'\nmodel = dict(head=dict(num_classes=7))\n")
    cfg = load_config(str(mine))
    assert cfg.model.backbone.type == 'mobilenet_v2.MobileNetV2'
    assert cfg.model.head.num_classes == 7


def test_mim_style_inheritance_is_refused_in_one_line_naming_the_path_to_use(tmp_path):
    from mobilenet_v2.apis import ConfigError, load_config
    from mobilenet_v2.apis.config import CONFIG_ROOT

    mine = tmp_path / 'mine.py'
    mine.write_text("_base_ = 'mobilenet_v2::mobilenet_v2/mobilenet-v2_8xb32_in1k.py'\n")
    with pytest.raises(ConfigError) as err:
        load_config(str(mine))
    assert CONFIG_ROOT in str(err.value) and '\n' not in str(err.value)


@pytest.mark.parametrize(
    'name, classes',
    [
        ('mobilenet-v2_toy-imagenet.py', TOY_IMAGENET_CLASSES),
        ('ssdlite-paper_mobilenetv2_toy-coco.py', TOY_COCO_CLASSES),
        ('ssdlite-paper_mobilenetv2-toy-imagenet_toy-coco.py', TOY_COCO_CLASSES),
    ],
)
def test_toy_configs_name_the_classes_their_generator_draws(name, classes):
    """The generators' CLASSES are the one source; classic configs cannot import it
    (mmengine 0.10.7 treats a config with an import as a lazy one), so they spell it out
    and this test holds them to it."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'toy', name))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert tuple(cfg[loader].dataset.metainfo.classes) == classes, loader
    head = cfg.model.get('head') or cfg.model.bbox_head
    assert head.num_classes == len(classes)
    preprocessor = cfg.get('data_preprocessor') or cfg.model.get('data_preprocessor') or {}
    assert preprocessor.get('num_classes', len(classes)) == len(classes)


def test_an_option_merged_into_a_none_node_is_a_config_error_naming_it():
    from mobilenet_v2.apis import ConfigError, load_config

    path = osp.join(ROOT, 'configs/toy/mobilenet-v2-d8_deeplabv3plus_toy-cityscapes.py')
    with pytest.raises(ConfigError, match=r'model.backbone.init_cfg was None in the config; give'):
        load_config(path, {'model.backbone.init_cfg.checkpoint': 'x.pth'})
    # the keys one by one build the node (mmengine refuses to merge into None)
    cfg = load_config(
        path,
        {
            'model.backbone.init_cfg.type': 'Pretrained',
            'model.backbone.init_cfg.checkpoint': 'x.pth',
        },
    )
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', checkpoint='x.pth')


@pytest.mark.parametrize(
    'config, option, message',
    [
        (
            'mobilenet-v2_toy-imagenet.py',
            'train_cfg.max_iter',
            "(IterBasedTrainLoop) takes no 'max_iter'; nearest: max_iters",
        ),
        (
            'mobilenet-v2_toy-imagenet.py',
            'optim_wrapper.optimizer.lrr',
            "(AdamW) takes no 'lrr'; nearest: lr",
        ),
        (
            'mobilenet-v2_toy-imagenet.py',
            'model.backbone.widen_factr',
            "(mobilenet_v2.MobileNetV2) takes no 'widen_factr'; nearest: widen_factor",
        ),
        (
            'mobilenet-v2_toy-imagenet.py',
            'train_dataloader.batch_sizee',
            "(DataLoader) takes no 'batch_sizee'; nearest: batch_size",
        ),
        (
            'mobilenet-v2_toy-imagenet.py',
            'default_hooks.checkpoint.intervl',
            "(CheckpointHook) takes no 'intervl'; nearest: interval",
        ),
        (
            'mobilenet-v2-d8_fcn_toy-cityscapes.py',
            'model.decode_head.num_classs',
            "(FCNHead) takes no 'num_classs'; nearest: num_classes",
        ),
        (
            'ssdlite-paper_mobilenetv2_toy-coco.py',
            'model.bbox_head.num_clases',
            'nearest: num_classes',
        ),
    ],
)
def test_a_typo_in_an_option_key_names_the_key_and_the_nearest_valid_names(config, option, message):
    from mobilenet_v2.apis import ConfigError, load_config

    path = osp.join(ROOT, 'configs', 'toy', config)
    with pytest.raises(ConfigError, match=re.escape(f'--cfg-options {option}: ')) as error:
        load_config(path, {option: 2})
    assert message in str(error.value)


@pytest.mark.parametrize(
    'config, option',
    [
        ('mobilenet-v2_toy-imagenet.py', 'model.backbone.memory_chunks'),  # left out
        ('mobilenet-v2_toy-imagenet.py', 'default_hooks.checkpoint.max_keep_ckpts'),
        ('mobilenet-v2_toy-imagenet.py', 'train_cfg.max_iters'),
        # through FCNHead's **kwargs to BaseDecodeHead
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', 'model.decode_head.dropout_ratio'),
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', 'new_variable'),  # a top-level key
        # torch's DataLoader arguments and mmengine's optim wrapper keys
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', 'train_dataloader.persistent_workers'),
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', 'train_dataloader.batch_sampler'),
        ('mobilenet-v2-d8_fcn_toy-cityscapes.py', 'optim_wrapper.constructor'),
    ],
)
def test_valid_new_option_keys_are_accepted(config, option):
    from mobilenet_v2.apis import load_config

    assert load_config(osp.join(ROOT, 'configs', 'toy', config), {option: 2})[option.split('.')[0]]


@pytest.mark.parametrize(
    'config',
    [
        'fcn/mobilenet-v2-d8_fcn_4xb2-80k_cityscapes-512x1024.py',  # backbone init_cfg set
        'ssdlite/ssdlite-paper_mobilenetv2-imagenet_8xb24-120e_coco.py',  # no `pretrained` arg
    ],
)
def test_classic_model_pretrained_becomes_the_backbones_init_cfg_with_a_warning(config):
    """mmseg's and mmdet's deprecated route: upstream refuses it beside a backbone
    init_cfg (mmdet's detectors take no `pretrained` at all)."""
    from mobilenet_v2.apis import build_model, load_config

    with pytest.warns(UserWarning, match='model.pretrained is deprecated'):
        cfg = load_config(osp.join(ROOT, 'configs', config), {'model.pretrained': 'x.pth'})
    assert 'pretrained' not in cfg.model
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', checkpoint='x.pth')
    assert build_model(cfg).backbone.init_cfg['checkpoint'] == 'x.pth'


@pytest.mark.parametrize(
    'config, kind, root',
    [
        ('configs/toy/mobilenet-v2_toy-imagenet.py', 'imagenet', 'data/toy_imagenet'),
        ('configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py', 'coco', 'data/toy_coco'),
        # its root is a folder inside the toy set's (break-it: no hint was given)
        ('configs/toy/mobilenet-v2-d8_fcn_toy-ade20k.py', 'ade20k', 'data/toy_ade20k'),
    ],
)
def test_a_missing_toy_set_says_how_to_write_it(config, kind, root, tmp_path, monkeypatch):
    """A new user's int8 benchmark of a toy config, before any demo wrote its data."""
    from mobilenet_v2.apis import ConfigError, load_config
    from mobilenet_v2.apis.config import build_split_dataset

    cfg = load_config(osp.join(ROOT, config))
    monkeypatch.chdir(tmp_path)  # no data/ here
    with pytest.raises(ConfigError, match=f'make_toy_data.py {kind} {root}$'):
        build_split_dataset(cfg, 'train')
