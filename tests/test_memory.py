"""The paper's memory-efficient inference (section 5.1) and the tracker that measures it."""

import pytest
import torch
import torch.nn as nn

from mobilenet_v2.analysis.memory import peak_activation_memory
from mobilenet_v2.models import InvertedResidual, MobileNetV2

from .conftest import run_tool
from .test_toolboxes import randomise_bn


def set_chunks(net, chunks):
    for block in net.modules():
        if isinstance(block, InvertedResidual):
            block.set_memory_chunks(chunks)


def test_the_tracker_counts_live_tensors_on_a_known_answer():
    class Known(nn.Module):
        def forward(self, x):  # x (1, 1000) is not counted
            a = x * 2  # 1000 values
            b = torch.cat([a, a])  # 2000; a and b live: 3000
            del a  # 2000
            c = b.sum(0, keepdim=True)  # 1000 more: 3000
            return c + 0 * b[:1]  # the view b[:1] costs nothing; 0 * it 1000, the sum 1000

    memory = peak_activation_memory(Known(), torch.ones(1, 1000))
    assert memory['peak_elements'] == 2000 + 1000 + 1000 + 1000  # b, c, 0 * b[:1], c + it
    assert memory['peak_bytes'] == 4 * memory['peak_elements']


@pytest.mark.parametrize('widen_factor', [0.35, 1.0])
@pytest.mark.parametrize('chunks', [2, 4, 6])
def test_chunked_blocks_give_the_plain_outputs(widen_factor, chunks):
    net = MobileNetV2(widen_factor=widen_factor, out_indices=(2, 7)).eval()
    randomise_bn(net)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        plain = net(x)
        set_chunks(net, chunks)
        chunked = net(x)
    for a, b in zip(plain, chunked):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_chunks_lower_the_peak_and_leave_training_alone():
    net = MobileNetV2(out_indices=(7,)).eval()
    x = torch.randn(1, 3, 112, 112)
    plain = peak_activation_memory(net, x)['peak_elements']
    set_chunks(net, 6)
    chunked = peak_activation_memory(net, x)['peak_elements']
    # the largest block tensors are 96-channel expansions at 56x56 (two: conv and BN
    # outputs); six chunks leave a sixth of each
    assert chunked < 0.5 * plain, (chunked, plain)
    net.train()
    out = net(x)[0]
    out.sum().backward()  # training computes plainly, with gradients
    assert net.conv1.conv.weight.grad is not None


def test_memory_chunks_are_checked():
    with pytest.raises(ValueError, match='memory_chunks must be a positive integer'):
        MobileNetV2(memory_chunks=0)
    with pytest.raises(ValueError, match='conv-BN-activation'):
        MobileNetV2(memory_chunks=2, norm_cfg=None)


def test_the_memory_tool_reports_every_chunk_count():
    proc = run_tool(
        'tools/analysis_tools/memory_efficient_inference.py',
        '--shape',
        '64',
        '64',
        '--widen-factor',
        '0.35',
        '--chunks',
        '1',
        '6',
        '--runs',
        '2',
    )
    assert 'paper, Table 3: 200,704 values = 401 KB' in proc.stdout
    lines = [line for line in proc.stdout.splitlines() if '|' in line][1:]
    assert [int(line.split('|')[0]) for line in lines] == [1, 6]
