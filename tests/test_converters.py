import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mobilenet_v2.compat import safe_torch_load
from mobilenet_v2.models.converters import torchvision_to_ours

from .conftest import ROOT, run_tool
from .test_toolboxes import randomise_bn


def test_torchvision_weights_convert_to_equal_logits_at_224():
    torch.manual_seed(0)
    theirs = torchvision.models.mobilenet_v2(weights=None)
    randomise_bn(theirs)
    cfg = Config.fromfile(f'{ROOT}/configs/_base_/models/mobilenet-v2_in1k.py')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ours = MODELS.build(cfg.model)
    missing, unexpected = ours.load_state_dict(
        torchvision_to_ours(theirs.state_dict()), strict=False
    )
    assert not unexpected and all(k.startswith('data_preprocessor') for k in missing)
    x = torch.randn(2, 3, 224, 224)
    expected = theirs.eval()(x)
    torch.testing.assert_close(ours.eval()(x, mode='tensor'), expected, rtol=0, atol=1e-5)


def test_a_backbone_only_mmdet_state_dict_converts_every_key():
    from mmdet.models.backbones import MobileNetV2 as MMDetMobileNetV2

    from mobilenet_v2.models import MobileNetV2
    from mobilenet_v2.models.converters import mmdet_to_ours

    theirs = MMDetMobileNetV2(out_indices=(7,)).state_dict()
    ours = MobileNetV2(out_indices=(7,))
    ours.load_state_dict(mmdet_to_ours(theirs), strict=True)  # all 312 keys, no leftovers


def test_an_unknown_mmdet_layout_is_refused_listing_its_keys():
    import pytest

    from mobilenet_v2.models.converters import mmdet_to_ours

    with pytest.raises(KeyError, match='could not be mapped.*stage9.0.expand_conv'):
        mmdet_to_ours({'backbone.stage9.0.expand_conv.conv.weight': torch.zeros(1)})


def test_mmdet_keys_of_blocks_mobilenet_v2_lacks_are_refused_by_name():
    import pytest

    from mobilenet_v2.models.converters import mmdet_to_ours

    for key in ('layer9.0.expand_conv.conv.weight', 'layer1.5.depthwise_conv.conv.weight'):
        with pytest.raises(KeyError, match=f'blocks MobileNetV2 does not have.*{key}'):
            mmdet_to_ours({key: torch.zeros(1)})


def test_a_file_that_is_no_checkpoint_is_one_line_naming_it(tmp_path):
    import pytest

    from mobilenet_v2.compat import UnsafeCheckpointError, safe_torch_load

    path = tmp_path / 'notes.pth'
    path.write_bytes(b'\x89PNG\r\n\x1a\n not a checkpoint')
    with pytest.raises(UnsafeCheckpointError, match=f'cannot read checkpoint {path}'):
        safe_torch_load(str(path))


def classifier(widen_factor: float, **backbone):
    """Our ImageClassifier at ``widen_factor`` (1000 classes), ``backbone`` options on top."""
    cfg = Config.fromfile(f'{ROOT}/configs/_base_/models/mobilenet-v2_in1k.py')
    cfg.model.backbone.update(widen_factor=widen_factor, **backbone)
    cfg.model.head.in_channels = (
        1280 if widen_factor <= 1.0 else make_divisible(1280 * widen_factor)
    )
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg.model).eval()


def make_divisible(value: float, divisor: int = 8) -> int:
    """TF-slim's channel rounding (Keras Applications' and timm's ``_make_divisible``)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


@pytest.mark.parametrize(
    'name, widen_factor',
    [('mobilenetv2_050', 0.5), ('mobilenetv2_100', 1.0), ('mobilenetv2_140', 1.4)],
)
def test_timm_weights_convert_to_equal_logits(name, widen_factor, tmp_path):
    """timm's own model with random weights and BN statistics, saved as the Hugging Face
    hub ships it (safetensors), converted by the tool: the same logits."""
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(0)
    theirs = timm.create_model(name, pretrained=False).eval()
    randomise_bn(theirs)
    src, dst = str(tmp_path / 'model.safetensors'), str(tmp_path / 'ours.pth')
    save_file({k: v.contiguous() for k, v in theirs.state_dict().items()}, src)
    run_tool('tools/model_converters/timm2mobilenet_v2.py', src, dst)
    ours = classifier(widen_factor)
    ours.load_state_dict(safe_torch_load(dst)['state_dict'], strict=False)
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        torch.testing.assert_close(ours(x, mode='tensor'), theirs(x), rtol=0, atol=1e-4)


# Keras Applications' MobileNetV2 (keras/src/applications/mobilenet_v2.py): the stages
# (expansion t, channels c, blocks n, stride s) of the paper's Table 2
KERAS_STAGES = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]
KERAS_BN = ('gamma', 'beta', 'moving_mean', 'moving_variance')


class KerasMobileNetV2:
    """A fixture standing in for Keras (TensorFlow is too heavy to install here): Keras'
    MobileNetV2 layer by layer, as its source builds it: layer names, TF weight layouts
    (HWIO kernels, HWC1 depthwise), BN eps 1e-3, and TF "same" padding written out
    (stride 2, 3x3: 1 pixel on even sizes, all of it after; 2 on odd sizes, split)."""

    def __init__(self, alpha: float, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.alpha, self.weights, self.plan = alpha, {}, []
        channels = make_divisible(32 * alpha)
        self._conv('Conv1', 3, channels, 3, rng)
        index = 0
        for t, c, n, s in KERAS_STAGES:
            out = make_divisible(int(c * alpha))
            for j in range(n):
                prefix = 'expanded_conv' if index == 0 else f'block_{index}'
                hidden = channels * t
                if index:
                    self._conv(f'{prefix}_expand', channels, hidden, 1, rng)
                self._conv(f'{prefix}_depthwise', hidden, hidden, 3, rng, depthwise=True)
                self._conv(f'{prefix}_project', hidden, out, 1, rng)
                self.plan.append(
                    (
                        prefix,
                        bool(index),
                        s if j == 0 else 1,
                        channels == out and (s if j == 0 else 1) == 1,
                    )
                )
                channels, index = out, index + 1
        last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
        self._conv('Conv_1', channels, last, 1, rng, bn='Conv_1_bn')
        self.weights['predictions'] = {
            'kernel': rng.normal(0, 0.05, (last, 1000)).astype(np.float32),
            'bias': rng.normal(0, 0.05, 1000).astype(np.float32),
        }

    def _conv(self, name, cin, cout, k, rng, depthwise=False, bn=None):
        shape = (k, k, cin, 1) if depthwise else (k, k, cin, cout)
        kernel = rng.normal(0, (2 / (k * k * (1 if depthwise else cin))) ** 0.5, shape)
        self.weights[name] = {
            ('depthwise_kernel' if depthwise else 'kernel'): kernel.astype(np.float32)
        }
        self.weights[bn or ('bn_Conv1' if name == 'Conv1' else f'{name}_BN')] = {
            'gamma': rng.uniform(0.5, 1.5, cout).astype(np.float32),
            'beta': rng.uniform(-0.5, 0.5, cout).astype(np.float32),
            'moving_mean': rng.uniform(-0.5, 0.5, cout).astype(np.float32),
            'moving_variance': rng.uniform(0.5, 2.0, cout).astype(np.float32),
        }

    def save_h5(self, path):
        """Keras 2's HDF5 weights layout: layer groups listing ``weight_names``."""
        import h5py

        with h5py.File(path, 'w') as f:
            f.attrs['layer_names'] = [name.encode() for name in self.weights]
            for layer, params in self.weights.items():
                group = f.create_group(layer)
                names = [f'{layer}/{param}:0' for param in params]
                group.attrs['weight_names'] = [n.encode() for n in names]
                for n, array in zip(names, params.values()):
                    group.create_dataset(n, data=array)

    def _layer(self, x, name, stride=1, act=True, bn=None):
        params = self.weights[name]
        if 'depthwise_kernel' in params:
            w = torch.from_numpy(params['depthwise_kernel']).permute(2, 3, 0, 1)
            groups = w.shape[0]
        else:
            w = torch.from_numpy(params['kernel']).permute(3, 2, 0, 1)
            groups = 1
        k = w.shape[-1]
        if stride == 2:  # TF "same": the total padding, its larger half after
            pads = [k - 2 + size % 2 for size in x.shape[-2:]]
            x = F.pad(
                x, [pads[1] // 2, pads[1] - pads[1] // 2, pads[0] // 2, pads[0] - pads[0] // 2]
            )
            padding = 0
        else:
            padding = k // 2
        x = F.conv2d(x, w, stride=stride, padding=padding, groups=groups)
        b = self.weights[bn or ('bn_Conv1' if name == 'Conv1' else f'{name}_BN')]
        gamma, beta, mean, var = (torch.from_numpy(b[p]).view(1, -1, 1, 1) for p in KERAS_BN)
        x = (x - mean) / torch.sqrt(var + 1e-3) * gamma + beta
        return x.clamp(0, 6) if act else x

    def __call__(self, x):
        """(N, 3, H, W) to (N, 1000) logits (Keras applies softmax after)."""
        x = self._layer(x, 'Conv1', stride=2)
        for prefix, expands, stride, residual in self.plan:
            h = self._layer(x, f'{prefix}_expand') if expands else x
            h = self._layer(h, f'{prefix}_depthwise', stride=stride)
            h = self._layer(h, f'{prefix}_project', act=False)
            x = x + h if residual else h
        x = self._layer(x, 'Conv_1', bn='Conv_1_bn').mean((2, 3))
        p = self.weights['predictions']
        return x @ torch.from_numpy(p['kernel']) + torch.from_numpy(p['bias'])


@pytest.mark.parametrize('alpha, size', [(0.35, 96), (1.0, 97), (1.4, 64)])
def test_keras_weights_convert_to_equal_logits_with_tf_padding(alpha, size, tmp_path):
    """Even sizes are where TF's "same" padding differs from PyTorch's (0 before, 1
    after); the odd size checks the symmetric case."""
    keras = KerasMobileNetV2(alpha)
    src, dst = str(tmp_path / 'keras.h5'), str(tmp_path / 'ours.pth')
    keras.save_h5(src)
    run_tool('tools/model_converters/keras2mobilenet_v2.py', src, dst)
    ours = classifier(alpha, tf_padding=True, norm_cfg=dict(type='BN', eps=1e-3))
    missing, unexpected = ours.load_state_dict(safe_torch_load(dst)['state_dict'], strict=False)
    assert not unexpected and all(
        'num_batches_tracked' in k or k.startswith('data_pre') for k in missing
    )
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        expected = keras(x)
        torch.testing.assert_close(ours(x, mode='tensor'), expected, rtol=0, atol=1e-4)
        # without TF's padding the same weights give other logits: the option matters
        plain = classifier(alpha, norm_cfg=dict(type='BN', eps=1e-3))
        plain.load_state_dict(ours.state_dict())
        if size % 2 == 0:
            assert (plain(x, mode='tensor') - expected).abs().max() > 1e-2


def test_tf_padding_refuses_a_conv_cfg_of_ones_own():
    from mobilenet_v2.models import MobileNetV2

    with pytest.raises(ValueError, match='tf_padding builds its own stride-2 convs'):
        MobileNetV2(tf_padding=True, conv_cfg=dict(type='Conv2d'))


def test_converters_never_replace_a_file_and_name_a_wrong_source(tmp_path):
    """Each converter refuses an existing or folder destination before reading, and
    says what the source is not."""
    existing = tmp_path / 'precious.pth'
    existing.write_text('precious')
    text = tmp_path / 'notes.txt'
    text.write_text('not weights')
    for tool in (
        'timm2mobilenet_v2.py',
        'keras2mobilenet_v2.py',
        'torchvision2mmpretrain.py',
        'mmdet2mobilenet_v2.py',
    ):
        script = f'tools/model_converters/{tool}'
        proc = run_tool(script, str(text), str(existing), check=False)
        assert proc.returncode == 2 and f'output {existing} exists: give a new path' in proc.stderr
        proc = run_tool(script, str(text), str(tmp_path) + '/', check=False)
        assert proc.returncode == 2 and 'is a folder: give a file name' in proc.stderr
        proc = run_tool(
            script, str(tmp_path / 'missing.pth'), str(tmp_path / 'out.pth'), check=False
        )
        assert proc.returncode == 2 and 'source ' in proc.stderr and 'does not exist' in proc.stderr
    assert existing.read_text() == 'precious'
    proc = run_tool(
        'tools/model_converters/keras2mobilenet_v2.py',
        str(text),
        str(tmp_path / 'k.pth'),
        check=False,
        fresh=True,  # as a user's process: the stack's import warns nothing either
    )
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.returncode == 2 and 'is no Keras 2 HDF5 weights file' in proc.stderr
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), tmp_path / 'tv.pth')
    proc = run_tool(
        'tools/model_converters/timm2mobilenet_v2.py',
        str(tmp_path / 'tv.pth'),
        str(tmp_path / 't.pth'),
        check=False,
    )
    assert proc.returncode == 2 and "torchvision's layout: torchvision2mmpretrain.py" in proc.stderr
