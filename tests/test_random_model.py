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
from mobilenet_v2.deployment.runtime import int8_saturates

from .conftest import ROOT
from .test_benchmark import FCN_INT8, FCN_SMALL, benchmark
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


def test_random_weights_hold_fp32_but_not_reduced_precision(tmp_path):
    """A random network does not quantize like a trained one (random_model.py): int8's
    error on one says nothing about a trained model's, so it is printed, not held."""
    int8 = (*FCN_INT8, '--calib-images', '4', '--tolerance', '1e-3', '--scope', 'forward')
    proc, report = benchmark(*int8, tmp_path=tmp_path)
    entry = report['scopes']['forward']
    assert entry['tolerance'] is None and entry['difference_measure'] > 1e-3
    assert 'random weights: int8 not held to it; give a checkpoint' in proc.stdout
    assert 'BN layers measured on 4 synthetic images' in report['random_weights']
    # what was quantized how: 7-bit weights where this CPU's int8 kernels saturate
    bits = dict(weights=7 if int8_saturates() else 8, activations=8)
    assert report['int8'] == dict(calibration_images=4, calibration='synthetic', bits=bits)
    assert f"int8: calibrated on 4 synthetic images; {bits['weights']}-bit weights" in proc.stdout
    # with a checkpoint int8 is held: test_sweep_runs_each_variant_alone_... refuses it


def test_random_weights_on_test_images_measure_bn_on_distinct_images(tmp_path, toy_cityscapes):
    """Break-it, session 7: --images at batch size 1 repeated its one image for the BN
    statistics, and a BN layer of a 1x1 map measured a variance of 0 (gain 316)."""
    proc, report = benchmark(
        *FCN_SMALL,
        '--images',
        '--scope',
        'forward',
        '--cfg-options',
        f'test_dataloader.dataset.data_root={toy_cityscapes}',
        tmp_path=tmp_path,
    )
    assert report['input'] == 'test set'
    assert 'measured on 1 test-set and 3 synthetic images' in report['random_weights']
