"""Peak activation memory and time of MobileNetV2 inference with the paper's
memory-efficient blocks (section 5.1, Table 3): every block's hidden channels in
1, 2, 4 or 6 chunks.

    python tools/analysis_tools/memory_efficient_inference.py [--shape 224 224]
        [--widen-factor 1.0] [--chunks 1 2 4 6] [--runs 20]

Peak memory counts every activation tensor from its creation until it is freed
(mobilenet_v2/analysis/memory.py); BatchNorm runs unfolded, as in PyTorch eager, so
a conv's output and its BN's output are alive together. The paper's Table 3 gives, as
we read it, 400K (kilobytes of 16-bit values) for MobileNetV2 at 224: 16 channels at
112x112 = 200,704 values.
"""

import argparse
import json
import time

from mobilenet_v2.arguments import check_at_least, check_shape, parse, run
from mobilenet_v2.messages import ConfigError

TABLE_3_VALUES = 16 * 112 * 112  # the paper's bound at 224x224, in 16-bit values


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--shape', type=int, nargs=2, default=(224, 224))
    parser.add_argument('--widen-factor', type=float, default=1.0)
    parser.add_argument('--chunks', type=int, nargs='+', default=[1, 2, 4, 6])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    return parse(parser, check_arguments)


def check_arguments(args):
    check_at_least(args, 1, 'runs')
    if min(args.chunks) < 1:
        raise ConfigError(f'--chunks {min(args.chunks)}: every value must be at least 1')
    check_shape(args.shape)


def main(args):
    import torch

    from mobilenet_v2.analysis.memory import peak_activation_memory
    from mobilenet_v2.models import InvertedResidual, MobileNetV2

    torch.manual_seed(0)
    try:
        net = MobileNetV2(widen_factor=args.widen_factor, out_indices=(7,)).eval()
    except ValueError as err:
        raise ConfigError(f'--widen-factor: {err}') from None
    x = torch.randn(1, 3, *args.shape)
    with torch.no_grad():
        reference = net(x)[0]
    rows = []
    for chunks in args.chunks:
        for block in net.modules():
            if isinstance(block, InvertedResidual):
                block.set_memory_chunks(chunks)
        with torch.no_grad():
            difference = (net(x)[0] - reference).abs().max().item()
            for _ in range(3):
                net(x)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                net(x)
                times.append(time.perf_counter() - start)
        memory = peak_activation_memory(net, x)
        rows.append(
            dict(
                chunks=chunks,
                peak_values=memory['peak_elements'],
                peak_kb_16bit=memory['peak_elements'] * 2 / 1000,
                median_ms=sorted(times)[len(times) // 2] * 1e3,
                max_difference=difference,
            )
        )
    if args.json:
        print(json.dumps(dict(rows=rows, table_3_values=TABLE_3_VALUES)))
        return
    plain = rows[0]
    print(
        f'MobileNetV2 {args.widen_factor} at {args.shape[0]}x{args.shape[1]}, batch 1, '
        f'{torch.get_num_threads()} threads'
    )
    print('chunks | peak activations (values / KB at 16-bit) | time | vs first | max |diff|')
    for row in rows:
        print(
            f"{row['chunks']:6d} | {row['peak_values']:>10,d} / {row['peak_kb_16bit']:8.0f} KB"
            f" | {row['median_ms']:6.1f} ms | {row['median_ms'] / plain['median_ms']:.2f}x"
            f" | {row['max_difference']:.1e}"
        )
    print(f'paper, Table 3: {TABLE_3_VALUES:,d} values = {TABLE_3_VALUES * 2 / 1000:.0f} KB')


if __name__ == '__main__':
    run(parse_args, main)
