"""How close a model's forward comes to the machine's measured fp32 GEMM peak.

The peak is a large fp32 matrix product (2048 x 2048 x 2048) timed through the
backend's own library in the same run: ONNX Runtime's MatMul for ``onnxruntime``,
OpenVINO's MatMul (fp32 inference precision) for ``openvino``, otherwise the best of
torch's ``mm`` and a 1x1 convolution (oneDNN). Achieved GFLOP/s is 2 x MAdds
(``count_complexity``, the paper's convention) x batch over the forward's median time.
"""

import time
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from .complexity import count_complexity

N = 2048


def _best_seconds(fn, repeats: int = 10) -> float:
    fn()
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def gemm_peak(backend: str) -> Dict[str, float]:
    """(library, GFLOP/s) of the fastest fp32 2048^3 product."""
    flops = 2 * N**3
    if backend == 'onnxruntime':
        import onnxruntime as ort
        from onnx import TensorProto, helper

        graph = helper.make_graph(
            [helper.make_node('MatMul', ['a', 'b'], ['c'])],
            'gemm',
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, [N, N]) for n in 'ab'],
            [helper.make_tensor_value_info('c', TensorProto.FLOAT, [N, N])],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        session = ort.InferenceSession(
            model.SerializeToString(), options, providers=['CPUExecutionProvider']
        )
        a = np.random.rand(N, N).astype(np.float32)
        seconds = _best_seconds(lambda: session.run(None, {'a': a, 'b': a}))
        return dict(gemm='ONNX Runtime MatMul', peak_gflops=flops / seconds / 1e9)
    if backend == 'openvino':
        import openvino as ov
        import openvino.opset13 as ops

        a, b = (ops.parameter([N, N], np.float32) for _ in range(2))
        request = (
            ov.Core()
            .compile_model(
                ov.Model([ops.matmul(a, b, False, False)], [a, b]),
                'CPU',
                {
                    'INFERENCE_NUM_THREADS': torch.get_num_threads(),
                    'INFERENCE_PRECISION_HINT': 'f32',
                },
            )
            .create_infer_request()
        )
        x = np.random.rand(N, N).astype(np.float32)
        seconds = _best_seconds(lambda: request.infer([x, x]))
        return dict(gemm='OpenVINO MatMul', peak_gflops=flops / seconds / 1e9)
    a = torch.rand(N, N)
    image, weight = torch.rand(1, N, 32, 64), torch.rand(N, N, 1, 1)  # 32 x 64 = 2048 pixels
    with torch.no_grad():
        mm = _best_seconds(lambda: torch.mm(a, a))
        conv = _best_seconds(lambda: F.conv2d(image, weight))
    name, seconds = ('torch.mm', mm) if mm < conv else ('oneDNN 1x1 conv', conv)
    return dict(gemm=name, peak_gflops=flops / seconds / 1e9)


def roofline(model, shape, backend: str, forward: Dict[str, float]) -> Dict[str, float]:
    """Achieved GFLOP/s of the timed forward (``forward``: time_calls' result) and its
    share of ``gemm_peak(backend)``."""
    with torch.no_grad():
        madds = count_complexity(model, torch.zeros(1, 3, *shape), mode='tensor').madds
    achieved = 2 * madds * forward['batch_size'] / (forward['median_ms'] / 1e3) / 1e9
    peak = gemm_peak(backend)
    return dict(
        **peak,
        madds=madds,
        achieved_gflops=achieved,
        fraction_of_peak=achieved / peak['peak_gflops'],
    )
