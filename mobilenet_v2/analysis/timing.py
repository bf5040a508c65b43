"""Timing inference: warm-up, N timed runs, order statistics; peak memory; the machine.

Figures are per call of ``fn`` on one batch: ``min_ms``, ``median_ms``, ``p90_ms`` and
``fps`` (batch size / median). Peak resident memory is Linux's VmHWM of this process,
reset before each measurement (``/proc/self/clear_refs``); peak CUDA memory is torch's
allocator peak.
"""

import os
import platform
import re
import statistics
import time
from typing import Callable, Dict, Optional

import torch


def _cpu_facts() -> Dict[str, str]:
    facts = dict(cpu=platform.processor() or platform.machine(), isa='unknown')
    try:
        info = open('/proc/cpuinfo').read()
    except OSError:
        return facts
    model = re.search(r'^model name\s*:\s*(.+)$', info, re.M)
    flags = re.search(r'^flags\s*:\s*(.+)$', info, re.M)
    if model:
        facts['cpu'] = model.group(1).strip()
    if flags:
        have = set(flags.group(1).split())
        wanted = ('avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_int8')
        facts['isa'] = ' '.join(f for f in wanted if f in have) or 'no avx2'
    facts['cores'] = str(os.cpu_count())
    return facts


def _version(package: str) -> Optional[str]:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # not installed
        return None


def environment(device: torch.device) -> Dict[str, str]:
    """Versions (torch, onnxruntime, openvino, torchao, the mm* stack), threads, CPU model
    and ISA, GPU."""
    env = dict(
        python=platform.python_version(),
        threads=str(torch.get_num_threads()),
        **_cpu_facts(),
    )
    for package in (
        'torch',
        'onnxruntime',
        'openvino',
        'torchao',
        'mmengine',
        'mmcv',
        'mmsegmentation',
        'mmdet',
        'mmpretrain',
    ):
        env[package] = _version(package) or 'not installed'
    if device.type == 'cuda':
        env['gpu'] = torch.cuda.get_device_name(device)
        env['cuda'] = str(torch.version.cuda)
    return env


def _reset_peak_rss():
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def _peak_rss_mib() -> Optional[float]:
    try:
        status = open('/proc/self/status').read()
    except OSError:
        return None
    found = re.search(r'^VmHWM:\s*(\d+) kB', status, re.M)
    return int(found.group(1)) / 1024 if found else None


def time_calls(
    fn: Callable[[], object], batch_size: int, warmup: int = 5, runs: int = 20, cuda: bool = False
) -> Dict[str, float]:
    """Time ``fn()`` (one batch of ``batch_size`` images) ``runs`` times after ``warmup``
    calls. Raises ValueError for runs < 1, warmup < 0 or batch_size < 1."""
    if runs < 1 or warmup < 0 or batch_size < 1:
        raise ValueError(
            f'need runs >= 1, warmup >= 0 and batch size >= 1, got {runs}, {warmup}, {batch_size}'
        )
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    _reset_peak_rss()
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return summarise(times, batch_size, cuda)


def time_interleaved(
    calls: Dict[str, Callable[[], object]], batch_size: int, warmup: int, runs: int, rounds: int = 4
) -> Dict[str, Dict[str, float]]:
    """``summarise`` of each of ``calls`` (name: one batch), timed ``runs`` times each,
    interleaved in ``rounds`` blocks: each block starts with one untimed call, so that
    the thread pool of one (OpenMP's or ONNX Runtime's, still spinning) never slows the
    other's timed calls on a busy core, and a machine that slows down slows all alike.
    Each summary also has ``round_median_ms``: the median of each round (as many rounds
    as have runs)."""
    for _ in range(warmup):
        for fn in calls.values():
            fn()
    times: Dict[str, list] = {name: [] for name in calls}
    per_round: Dict[str, list] = {name: [] for name in calls}
    for round_ in range(min(rounds, runs)):
        for name, fn in calls.items():
            fn()
            block = []
            for _ in range(runs // rounds + (round_ < runs % rounds)):
                start = time.perf_counter()
                fn()
                block.append(time.perf_counter() - start)
            times[name].extend(block)
            per_round[name].append(statistics.median(block) * 1e3)
    return {
        name: dict(summarise(t, batch_size), round_median_ms=per_round[name])
        for name, t in times.items()
    }


def speedup(timed: Dict[str, Dict], reference: str, ours: str = 'ours') -> Dict[str, float]:
    """The reference's median time over ours (> 1: ours is faster), and its lowest and
    highest value round by round (``time_interleaved``): how far a machine whose speed
    drifts moved it."""
    ratios = [
        theirs / mine
        for theirs, mine in zip(timed[reference]['round_median_ms'], timed[ours]['round_median_ms'])
    ]
    return dict(
        ratio=timed[reference]['median_ms'] / timed[ours]['median_ms'],
        round_min=min(ratios),
        round_max=max(ratios),
    )


def compare_interleaved(name: str, ours: Callable, theirs: Callable, batch_size, warmup, runs):
    """``ours()`` and ``theirs()`` timed interleaved (``time_interleaved``), as a benchmark
    report's keys: ``interleaved_with_<name>_median_ms`` (ours), ``<name>_median_ms``,
    ``speedup_vs_<name>`` (their median over ours) and ``speedup_vs_<name>_rounds``."""
    timed = time_interleaved(dict(ours=ours, theirs=theirs), batch_size, warmup, runs)
    ratio = speedup(timed, 'theirs')
    return {
        f'interleaved_with_{name}_median_ms': timed['ours']['median_ms'],
        f'{name}_median_ms': timed['theirs']['median_ms'],
        f'speedup_vs_{name}': ratio['ratio'],
        f'speedup_vs_{name}_rounds': [ratio['round_min'], ratio['round_max']],
    }


SPREAD = 1.5  # round by round, beyond this a ratio says more about the machine


def unsteady(entry: Dict) -> bool:
    """Whether an interleaved ratio of a benchmark report's scope ``entry`` moved more
    than ``SPREAD`` times between its rounds (``speedup_vs_*_rounds``)."""
    keys = ('speedup_vs_upstream_rounds', 'speedup_vs_eager_rounds')
    return any(entry[k][1] > SPREAD * entry[k][0] for k in keys if k in entry)


def summarise(times, batch_size: int, cuda: bool = False) -> Dict[str, float]:
    """Order statistics of per-batch ``times`` (seconds) and the memory peaks."""
    ordered = sorted(times)
    median = statistics.median(ordered)
    result = dict(
        batch_size=batch_size,
        runs=len(ordered),
        min_ms=ordered[0] * 1e3,
        median_ms=median * 1e3,
        p90_ms=ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1e3,
        fps=batch_size / median,
        peak_rss_mib=_peak_rss_mib(),
    )
    if cuda:
        result['peak_cuda_mib'] = torch.cuda.max_memory_allocated() / 2**20
    return result
