"""The benchmark's random-weight model (mobilenet_v2/analysis/random_model.py): BN
statistics measured so that outputs follow the input, and the output check then sees
what a graph gets wrong before its network."""

import os.path as osp

import pytest
import torch

from mobilenet_v2.analysis.benchmark import TOLERANCE, difference, synthetic_images
from mobilenet_v2.analysis.random_model import measure_bn_statistics, prepare_random_model
from mobilenet_v2.apis import build_model, load_config
from mobilenet_v2.deployment import DeployModel

from .conftest import ROOT
from .test_deployment import images

CLASSIFIER = 'mobilenet-v2_toy-imagenet.py'
SEGMENTOR = 'mobilenet-v2-d8_fcn_toy-cityscapes.py'


def random_model(name):
    cfg = load_config(osp.join(ROOT, 'configs', 'toy', name))
    torch.manual_seed(0)
    return cfg, build_model(cfg).eval()


def images_like(n):
    return synthetic_images(n, (64, 64), seed=1)


def test_bn_statistics_are_those_of_each_layers_input_and_eval_mode_returns():
    cfg, model = random_model(CLASSIFIER)
    wrapper = DeployModel(model, cfg.default_scope, (64, 64), postprocess=False)
    x = wrapper.normalise(images(2, 64, 64))
    first = model.backbone.conv1.bn
    seen = []
    first.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    measure_bn_statistics(model, wrapper.run_network, x)
    assert not first.training and first.momentum == 0.1  # mmengine's default, restored
    torch.testing.assert_close(first.running_mean, seen[0].mean((0, 2, 3)))
    torch.testing.assert_close(first.running_var, seen[0].var((0, 2, 3)))
    assert first.num_batches_tracked == 1


@pytest.mark.parametrize('name', [CLASSIFIER, SEGMENTOR])
def test_a_wrong_channel_order_is_refused_once_bn_statistics_are_measured(name):
    """Break-it, session 6: mmengine's BN initialisation (mean 0, variance 1) under
    random convolutions lets activations grow until ReLU6 clips them all, so a graph
    fed BGR instead of RGB gave the same outputs and was timed."""
    cfg, model = random_model(name)
    wrapper = DeployModel(model, cfg.default_scope, (64, 64), postprocess=False)
    rgb = images(2, 64, 64, seed=3)

    def gap():
        with torch.no_grad():
            ref, bgr = wrapper(rgb), wrapper(rgb.flip(1))
        return difference(cfg.default_scope, 'forward', ref, bgr, 'fp32')[0]

    assert gap() < TOLERANCE['fp32']  # the blind spot, as the helper found it
    line = prepare_random_model(model, cfg.default_scope, (64, 64), images_like(2), '2')
    assert 'BN layers measured on 2 images' in line
    assert gap() > 100 * TOLERANCE['fp32']


def test_chunked_blocks_have_their_bn_statistics_measured_too():
    """Break-it, session 7: blocks with memory_chunks > 1 run their chunks with BN in
    eval mode, so their statistics stayed at 0 and 1 while the report counted them."""
    cfg = load_config(
        osp.join(ROOT, 'configs', 'toy', CLASSIFIER), {'model.backbone.memory_chunks': 2}
    )
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    line = prepare_random_model(model, cfg.default_scope, (64, 64), images_like(2), '2')
    layers = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(m.num_batches_tracked == 1 for m in layers)
    assert f'the statistics of {len(layers)} BN layers' in line
    assert model.backbone.layer2[1].memory_chunks == 2  # and chunked again after
