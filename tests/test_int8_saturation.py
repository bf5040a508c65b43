"""int8 on x86 CPUs without VNNI: the kernels add pairs of u8 x s8 products in 16 bits
and saturate on full-range weights; graphs quantized there get 7-bit weights, and a
full-range graph run there is named in a warning."""

import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from mobilenet_v2.analysis.benchmark import synthetic_images, to_batch
from mobilenet_v2.analysis.random_model import prepare_random_model
from mobilenet_v2.deployment import OpenVinoModel, OrtModel, export_onnx, runtime
from mobilenet_v2.deployment.quantize import quantize_onnx

from .test_random_model import CLASSIFIER, random_model

SHAPE = (64, 64)


@pytest.mark.parametrize(
    'capabilities, saturates',
    [
        (dict(architecture='x86_64', avx2=True), True),  # AVX2 only (Zen 3, Skylake)
        (dict(architecture='x86_64', avx2=True, avx512_f=True), True),  # AVX-512 alone
        (dict(architecture='x86_64', avx512_f=True, avx512_vnni=True), False),
        (dict(architecture='x86_64', avx2=True, avx_vnni=True), False),  # AVX-VNNI
        (dict(architecture='x86_64', avx512_f=True, amx_int8=True), False),
        (dict(architecture='aarch64'), False),
    ],
)
def test_int8_saturates_on_x86_without_vnni_only(capabilities, saturates, monkeypatch):
    monkeypatch.setattr(torch.cpu, 'get_capabilities', lambda: capabilities)
    assert runtime.int8_saturates() is saturates


@pytest.fixture(scope='module')
def graphs(tmp_path_factory):
    """Int8 graphs (default, 8-bit and 7-bit weights) of the prepared random toy
    classifier (random weights fill the int8 range, unlike trained ones), and the
    check batch with its fp32 logits."""
    folder = tmp_path_factory.mktemp('int8')
    cfg, model = random_model(CLASSIFIER)
    prepare_random_model(model, cfg.default_scope, SHAPE, synthetic_images(4, SHAPE, 1), 'x')
    fp32 = str(folder / 'fp32.onnx')
    wrapper = export_onnx(cfg, model, fp32, SHAPE, dynamic_batch=True, postprocess=False)
    calibration = [
        image.transpose(2, 0, 1)[None].astype(np.float32)
        for image in synthetic_images(8, SHAPE, seed=1)
    ]
    default = quantize_onnx(fp32, str(folder / 'default.onnx'), calibration)
    full = quantize_onnx(fp32, str(folder / 'full.onnx'), calibration, reduce_range=False)
    reduced = quantize_onnx(fp32, str(folder / 'reduced.onnx'), calibration, reduce_range=True)
    x = to_batch(synthetic_images(4, SHAPE, seed=0), SHAPE)
    with torch.no_grad():
        return dict(fp32=fp32, default=default, full=full, reduced=reduced, x=x, ref=wrapper(x)[0])


def weight_bits(path):
    graph = onnx.load(path)
    metadata = {entry.key: entry.value for entry in graph.metadata_props}
    weights = [
        onnx.numpy_helper.to_array(t) for t in graph.graph.initializer if t.data_type == 3
    ]  # INT8: the convolutions' weights (activations are UINT8)
    return metadata[runtime.WEIGHT_BITS], max(int(np.abs(w).max()) for w in weights)


def rms(a, b):
    return float((a - b).pow(2).mean().sqrt() / b.pow(2).mean().sqrt())


def test_int8_kernels_compute_what_the_graph_says_on_this_cpu(graphs):
    """ONNX Runtime's int8 kernels against the same QDQ graph computed in float
    (``session.disable_quant_qdq``): quantization error alike, no saturation. On this
    repository's AVX2 EPYC, full-range weights gave 65% RMS against 20% in float."""
    saturates = runtime.int8_saturates()
    assert weight_bits(graphs['default']) == (('7', 64) if saturates else ('8', 127))
    assert weight_bits(graphs['full']) == ('8', 127)
    assert weight_bits(graphs['reduced']) == ('7', 64)
    options = ort.SessionOptions()
    options.add_session_config_entry('session.disable_quant_qdq', '1')
    float_qdq = ort.InferenceSession(graphs['default'], options, providers=['CPUExecutionProvider'])
    simulated = torch.from_numpy(float_qdq.run(None, {'images': graphs['x'].numpy()})[0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # a graph quantized on this machine fits it
        (integer,) = OrtModel(graphs['default'])(graphs['x'])
    ref = graphs['ref']
    error, float_error = rms(integer, ref), rms(simulated, ref)
    assert 0.01 < float_error and error < 1.25 * float_error, (error, float_error)


def without_metadata(path, dst):
    """The graph as quantized elsewhere (ONNX Runtime's quantize_static alone)."""
    graph = onnx.load(path)
    del graph.metadata_props[:]
    onnx.save(graph, str(dst))
    return str(dst)


@pytest.mark.parametrize('runtime_class', [OrtModel, OpenVinoModel])
def test_a_full_range_graph_is_named_where_int8_saturates(
    runtime_class, graphs, monkeypatch, tmp_path
):
    """Also a graph quantized elsewhere, without our metadata: its weights tell."""
    monkeypatch.setattr(runtime, 'int8_saturates', lambda: True)
    elsewhere = without_metadata(graphs['full'], tmp_path / 'elsewhere.onnx')
    for path in (graphs['full'], elsewhere):
        with pytest.warns(UserWarning, match=r'\.onnx holds 8-bit int8 weights and this CPU'):
            runtime_class(path)
    assert runtime.weight_bits(elsewhere) == 8
    reduced = without_metadata(graphs['reduced'], tmp_path / 'reduced.onnx')
    assert runtime.weight_bits(reduced) == 7
    for path in (graphs['reduced'], reduced, graphs['fp32']):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            runtime_class(path)
    assert runtime.weight_bits(graphs['fp32']) is None


def test_the_warning_prints_as_one_line_in_the_tools(graphs, monkeypatch):
    """The tools (``apis.cli``) print the toolbox's warnings as one line; others, as
    Python prints them, with file, line and source line."""
    from mobilenet_v2.apis import cli  # noqa: F401 (every tool imports it)

    monkeypatch.setattr(runtime, 'int8_saturates', lambda: True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        OrtModel(graphs['full'])
    (warning,) = caught
    text = warnings.formatwarning(warning.message, warning.category, warning.filename, 1)
    assert text.startswith('warning: ') and text.endswith('--weight-bits 7)\n')
    assert text.count('\n') == 1
    other = warnings.formatwarning('x', UserWarning, 'f.py', 3, 'source line')
    assert 'f.py:3' in other and 'source line' in other
