"""tools/analysis_tools/plot_benchmarks.py: benchmark.py's JSON reports as one bar chart and
a table, refusing reports it would misdraw."""

import json

import pytest

from .conftest import run_tool
from .test_benchmark import FCN_SMALL, QUICK


def test_plot_groups_reports_by_model_and_backend(tmp_path):
    # a model name holding a backend's name (break-it: it was stripped from one only)
    reports = [str(tmp_path / f'fcn-pytorch-64-{b}-fp32.json') for b in ('pytorch', 'openvino')]
    run_tool(
        'tools/analysis_tools/benchmark.py',
        *FCN_SMALL,
        '--scope',
        'forward',
        *QUICK,
        '--json',
        reports[0],
    )
    # a second backend's report: the eager one, three times as fast (the sweep test
    # plots reports of two measured backends)
    report = json.load(open(reports[0]))
    forward = report['scopes']['forward']
    scopes = {'forward': {**forward, 'fps': 3 * forward['fps']}}
    with open(reports[1], 'w') as f:
        json.dump({**report, 'backend': 'openvino', 'scopes': scopes}, f)
    png = tmp_path / 'plot.png'
    proc = run_tool('tools/analysis_tools/plot_benchmarks.py', *reports, '--out', str(png))
    rows = [line.split() for line in proc.stdout.splitlines() if line.endswith('img/s')]
    assert [row[:4] for row in rows] == [
        ['forward', 'fcn-pytorch-64', 'openvino', 'fp32'],
        ['forward', 'fcn-pytorch-64', 'pytorch', 'fp32'],
    ]
    fps = json.load(open(reports[1]))['scopes']['forward']['fps']
    assert float(rows[0][4]) == pytest.approx(fps, abs=0.06)
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    (tmp_path / 'bad.json').write_text('{"backend": "pytorch"}')
    proc = run_tool(
        'tools/analysis_tools/plot_benchmarks.py',
        str(tmp_path / 'bad.json'),
        '--out',
        str(tmp_path / 'bad.png'),
        check=False,
    )
    assert proc.returncode == 2 and 'is no benchmark.py JSON report' in proc.stderr
    assert not (tmp_path / 'bad.png').exists()
    # a report of no scope, or of no speed, and a second report of the same model and
    # variant (it would replace the first bar silently)
    (tmp_path / 'again').mkdir()
    for name, broken, message in (
        ('none.json', {**report, 'scopes': {}}, 'is no benchmark.py JSON report'),
        (
            'zero.json',
            {**report, 'scopes': {'forward': {**report['scopes']['forward'], 'fps': 0}}},
            'is no benchmark.py JSON report',
        ),
        (
            'again/fcn-pytorch-64-pytorch-fp32.json',
            report,
            'a second fcn-pytorch-64 pytorch fp32 report',
        ),
    ):
        json.dump(broken, open(tmp_path / name, 'w'))
        proc = run_tool(
            'tools/analysis_tools/plot_benchmarks.py',
            reports[0],
            str(tmp_path / name),
            '--out',
            str(tmp_path / 'bad.png'),
            check=False,
        )
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr[-1500:]
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / 'bad.png').exists()
