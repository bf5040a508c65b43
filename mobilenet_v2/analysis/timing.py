"""Inference timing: warm-up, N timed runs, median and spread."""

import platform
import statistics
import time
from typing import Dict

import torch
import torch.nn as nn


def environment(device: torch.device) -> Dict[str, str]:
    env = dict(
        torch=torch.__version__,
        python=platform.python_version(),
        threads=str(torch.get_num_threads()),
        cpu=platform.processor() or platform.machine(),
    )
    if device.type == 'cuda':
        env['gpu'] = torch.cuda.get_device_name(device)
        env['cuda'] = str(torch.version.cuda)
    return env


@torch.no_grad()
def time_inference(
    model: nn.Module, inputs: torch.Tensor, warmup: int = 5, runs: int = 20, **forward_kwargs
) -> Dict[str, float]:
    """Seconds per forward of ``inputs`` (one batch); the model is put in eval mode."""
    model.eval()
    sync = torch.cuda.synchronize if inputs.is_cuda else (lambda: None)
    for _ in range(warmup):
        model(inputs, **forward_kwargs)
    sync()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model(inputs, **forward_kwargs)
        sync()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return dict(
        batch_size=inputs.shape[0],
        runs=runs,
        median_ms=median * 1e3,
        min_ms=min(times) * 1e3,
        max_ms=max(times) * 1e3,
        stdev_ms=statistics.stdev(times) * 1e3 if runs > 1 else 0.0,
        fps=inputs.shape[0] / median,
    )
