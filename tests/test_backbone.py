import pytest
import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from mobilenet_v2.models import MobileNetV2


def test_output_stride_8_keeps_resolution_after_stage_3():
    net = MobileNetV2(widen_factor=0.35, output_stride=8, out_indices=(2, 6))
    c3, c7 = net(torch.randn(1, 3, 64, 64))
    assert c3.shape[-2:] == c7.shape[-2:] == (8, 8)


@pytest.mark.parametrize(
    'kwargs',
    [
        dict(widen_factor=1.0, out_indices=tuple(range(8))),
        dict(
            widen_factor=0.35,
            out_indices=(1, 2, 4, 6),
            strides=(1, 2, 2, 1, 1, 1, 1),
            dilations=(1, 1, 1, 2, 2, 4, 4),
        ),
        dict(widen_factor=1.4, out_indices=(4, 7), expansion_outputs=('layer6.0',)),
        dict(
            widen_factor=0.5,
            out_indices=(5,),
            output_stride=16,
            expansion_outputs=('layer4.0', 'layer6.0'),
        ),
    ],
)
def test_output_specs_describe_the_returned_tensors(kwargs):
    net = MobileNetV2(**kwargs).eval()
    outs = net(torch.randn(1, 3, 64, 64))
    assert len(outs) == len(net.output_specs)
    hooked = {}
    for spec in net.output_specs:  # names are module paths: a hook there sees the output
        net.get_submodule(spec.name).register_forward_hook(
            lambda module, args, out, name=spec.name: hooked.setdefault(name, out)
        )
    outs = net(torch.randn(1, 3, 64, 64))
    for out, spec in zip(outs, net.output_specs):
        assert out.shape[1] == spec.channels, spec
        assert out.shape[-1] == 64 // spec.stride, spec
        assert torch.equal(out, hooked[spec.name]), spec


def test_channels_at_width_1_are_table_2():
    net = MobileNetV2(out_indices=tuple(range(8)))
    assert net.out_channels == (16, 24, 32, 64, 96, 160, 320, 1280)
    assert MobileNetV2(widen_factor=1.4).out_channels == (1792,)
    assert MobileNetV2(widen_factor=0.35).out_channels == (1280,)


def test_ssdlite_expansion_of_layer_15_has_576_channels_at_stride_16():
    net = MobileNetV2(out_indices=(7,), expansion_outputs=('layer6.0',))
    assert [tuple(s)[:3] for s in net.output_specs] == [
        ('layer6.0.conv.0', 576, 16),
        ('conv2', 1280, 32),
    ]
    expansion, last = net.eval()(torch.randn(1, 3, 320, 320))
    assert expansion.shape == (1, 576, 20, 20) and last.shape == (1, 1280, 10, 10)


def test_expansion_output_does_not_change_the_main_path():
    plain = MobileNetV2(out_indices=(7,)).eval()
    tapped = MobileNetV2(out_indices=(7,), expansion_outputs=('layer6.0',)).eval()
    tapped.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(plain(x)[0], tapped(x)[1])


def test_width_1_with_a_1000_class_head_has_torchvision_parameter_count():
    net = MobileNetV2(widen_factor=1.0)
    head = nn.Linear(1280, 1000)
    total = sum(p.numel() for p in [*net.parameters(), *head.parameters()])
    assert total == 3_504_872


def test_stages_past_the_deepest_output_are_not_built():
    net = MobileNetV2(out_indices=(1, 2, 4, 6))
    assert not hasattr(net, 'conv2')
    assert net.layers == [f'layer{i}' for i in range(1, 8)]
    assert MobileNetV2(out_indices=(2,)).layers == ['layer1', 'layer2', 'layer3']


def test_frozen_stages_stop_gradients_and_keep_bn_in_eval():
    net = MobileNetV2(frozen_stages=2, out_indices=(7,))
    net.train()
    for name in ('conv1', 'layer1', 'layer2'):
        module = getattr(net, name)
        assert not any(p.requires_grad for p in module.parameters()), name
        assert not any(m.training for m in module.modules()), name
    assert all(p.requires_grad for p in net.layer3.parameters())
    assert net.layer3.training


def test_norm_eval_keeps_running_stats_fixed_in_training():
    net = MobileNetV2(widen_factor=0.35, norm_eval=True, out_indices=(3,))
    net.train()
    before = net.layer2[0].conv[0].bn.running_mean.clone()
    net(torch.randn(2, 3, 32, 32))
    assert all(not m.training for m in net.modules() if isinstance(m, _BatchNorm))
    torch.testing.assert_close(net.layer2[0].conv[0].bn.running_mean, before)


def test_with_cp_recomputes_blocks_and_gives_the_same_gradients(monkeypatch):
    import torch.utils.checkpoint as cp

    calls = []
    original = cp.checkpoint
    monkeypatch.setattr(cp, 'checkpoint', lambda *a, **k: calls.append(1) or original(*a, **k))
    plain = MobileNetV2(widen_factor=0.35, out_indices=(3,))
    checkpointed = MobileNetV2(widen_factor=0.35, out_indices=(3,), with_cp=True)
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 32, 32, requires_grad=True)
    plain(x)[0].sum().backward()
    checkpointed(x)[0].sum().backward()
    assert len(calls) == 1 + 2 + 3 + 4  # every block of layer1..layer4
    for (name, p), q in zip(plain.named_parameters(), checkpointed.parameters()):
        torch.testing.assert_close(p.grad, q.grad, msg=name)


@pytest.mark.parametrize(
    'kwargs, message',
    [
        (dict(out_indices=(8,)), 'out_indices'),
        (dict(expansion_outputs=('layer1.0',)), 'no block with an expansion'),
        (dict(frozen_stages=9), 'frozen_stages'),
        (dict(out_indices=(), expansion_outputs=()), 'at least one output'),
        (dict(pretrained='x.pth', init_cfg=None), 'not both'),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MobileNetV2(**kwargs)


def test_repeated_out_indices_give_one_output_in_network_order_as_upstream():
    net = MobileNetV2(widen_factor=0.35, out_indices=(4, 2, 2)).eval()
    outs = net(torch.randn(1, 3, 32, 32))
    assert [s.name for s in net.output_specs] == ['layer3', 'layer5']
    assert [o.shape[1] for o in outs] == [16, 32]


def test_frozen_stages_past_the_deepest_output_freeze_what_is_built():
    net = MobileNetV2(out_indices=(2,), frozen_stages=4).train()  # upstream accepts this
    assert net.layers == ['layer1', 'layer2', 'layer3']
    assert not any(p.requires_grad for p in net.parameters())


def test_frozen_stem_bn_is_eval_by_default_and_trains_as_upstream_on_request():
    x = torch.randn(2, 3, 32, 32)
    ours = MobileNetV2(widen_factor=0.35, out_indices=(0,), frozen_stages=0).train()
    upstream_like = MobileNetV2(
        widen_factor=0.35, out_indices=(0,), frozen_stages=0, frozen_stem_eval=False
    ).train()
    ours(x), upstream_like(x)
    assert not ours.conv1.bn.training and upstream_like.conv1.bn.training
    assert torch.equal(ours.conv1.bn.running_mean, torch.zeros(16))  # statistics fixed
    assert not torch.equal(upstream_like.conv1.bn.running_mean, torch.zeros(16))
    for net in (ours, upstream_like):
        assert not any(p.requires_grad for p in net.conv1.parameters())


def test_pretrained_is_mapped_to_init_cfg_with_a_deprecation_warning():
    with pytest.warns(UserWarning, match='pretrained is deprecated'):
        net = MobileNetV2(pretrained='weights.pth')
    assert net.init_cfg == dict(type='Pretrained', checkpoint='weights.pth')
