"""Bar chart of benchmark.py JSON reports: images per second per model, one bar per
backend and precision, for each scope; the same figures printed as a table.

    python tools/analysis_tools/plot_benchmarks.py REPORT.json ... --out benchmarks.png
"""

import argparse
import json
import os.path as osp
from collections import OrderedDict

from mobilenet_v2.arguments import check_png_out, parse, run
from mobilenet_v2.messages import ConfigError


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('reports', nargs='+')
    parser.add_argument('--out', required=True, help='PNG file to write')
    return parse(parser, lambda args: check_png_out(args.out, replace=False))


def main(args):
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    bars = OrderedDict()  # (scope, model) -> {backend precision: fps}
    batches = set()
    for path in args.reports:
        try:
            report = json.load(open(path))
            variant = f"{report['backend']} {report['precision']}"
            scopes = {scope: float(entry['fps']) for scope, entry in report['scopes'].items()}
            batch = {entry['batch_size'] for entry in report['scopes'].values()}
            if not scopes or min(scopes.values()) <= 0:
                raise ValueError('no scope with a positive fps')
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise ConfigError(f'{path} is no benchmark.py JSON report ({err!r})') from None
        batches |= batch
        # benchmark_figures.sh and --sweep name each report MODEL-BACKEND-PRECISION.json
        model = osp.splitext(osp.basename(path))[0]
        suffix = f"-{report['backend']}-{report['precision']}"
        model = model[: -len(suffix)] if model.endswith(suffix) else model
        for scope, fps in scopes.items():
            if variant in bars.get((scope, model), {}):
                raise ConfigError(
                    f'{path}: a second {model} {variant} report (file names give the model: '
                    'name them MODEL-BACKEND-PRECISION.json, one per model and variant)'
                )
            bars.setdefault((scope, model), {})[variant] = fps
    scopes = sorted({scope for scope, _ in bars})
    variants = sorted({v for entries in bars.values() for v in entries})
    for (scope, model), entries in sorted(bars.items()):
        for variant, fps in sorted(entries.items()):
            print(f'{scope:<11} {model:<28} {variant:<20} {fps:10.1f} img/s')
    fig, axes = plt.subplots(len(scopes), 1, figsize=(11, 3.2 * len(scopes)), squeeze=False)
    for ax, scope in zip(axes[:, 0], scopes):
        models = [m for s, m in bars if s == scope]
        width = 0.8 / len(variants)
        for i, variant in enumerate(variants):
            values = [bars[scope, m].get(variant, 0) for m in models]
            positions = [j + i * width for j in range(len(models))]
            drawn = ax.bar(positions, values, width, label=variant)
            ax.bar_label(drawn, fmt='%.3g', fontsize=7)
        ax.set_xticks([j + width * (len(variants) - 1) / 2 for j in range(len(models))])
        ax.set_xticklabels(models, fontsize=8)
        ax.set_yscale('log')
        ax.set_ylabel('images / s (log)')
        batch = '/'.join(str(b) for b in sorted(batches))
        ax.set_title(f'{scope.replace("_", " ")}, batch {batch}')
        ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1))  # off the bars
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run(parse_args, main)
