import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from mobilenet_v2.compat import (
    DownloadError,
    UnsafeCheckpointError,
    install_safe_checkpoint_loading,
)


@pytest.fixture(autouse=True)
def _safe_loading():
    install_safe_checkpoint_loading()  # what every tool does when it starts


class _Payload:
    """Unpickling this would create the marker file: proof of code execution."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_mmengine_style_checkpoint_loads_with_weights_only(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(0.5)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(
        dict(
            state_dict={'w': torch.ones(2)},
            message_hub=dict(
                log_scalars={'train/loss': buffer},
                runtime_info={'iter': np.int64(3), 'lr': np.float64(0.1)},
            ),
            meta=dict(seed=0, dataset_meta=dict(classes=('a', 'b'))),
        ),
        path,
    )
    loaded = _load_checkpoint(path, map_location='cpu')
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 0.5
    assert loaded['message_hub']['runtime_info']['iter'] == 3


def test_checkpoint_with_arbitrary_pickled_object_is_refused_without_running_it(tmp_path):
    marker = str(tmp_path / 'executed')
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={'w': torch.ones(2)}, meta=_Payload(marker)), path)
    with pytest.raises(UnsafeCheckpointError, match=r'evil\.pth.*allow-list \(io\.open\)'):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_plain_torch_load_as_mmengine_remote_loaders_call_it_is_allow_listed_too(tmp_path):
    """Inferencers and scripts call torch.load without weights_only: torch's default
    (True) with the allow-list reads mmengine checkpoints, refuses the rest."""
    buffer = HistoryBuffer()
    buffer.update(1.0)
    good, evil = str(tmp_path / 'good.pth'), str(tmp_path / 'evil.pth')
    torch.save(dict(message_hub=dict(log_scalars={'loss': buffer})), good)
    assert torch.load(good)['message_hub']['log_scalars']['loss'].current() == 1.0
    marker = str(tmp_path / 'executed')
    torch.save(dict(meta=_Payload(marker)), evil)
    with pytest.raises(Exception, match='Unsupported global'):
        torch.load(evil)
    assert not osp.exists(marker)


def test_the_environment_cannot_switch_local_loading_to_unrestricted(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = str(tmp_path / 'executed')
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(meta=_Payload(marker)), path)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.pth'):
        _load_checkpoint(str(tmp_path / 'nothere.pth'))
    assert not os.listdir(tmp_path)


@pytest.fixture
def http_folder(tmp_path):
    """(folder, base URL): a local HTTP server over ``folder``, for the remote schemes."""
    import functools
    import http.server
    import threading

    folder = tmp_path / 'served'
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()


def test_a_checkpoint_from_a_url_is_read_safely_even_when_the_environment_asks_otherwise(
    http_folder, tmp_path, monkeypatch
):
    """mmengine 0.10.7 reads URLs through torch.hub with weights_only=False: ours never
    unpickles code, whatever TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD says."""
    folder, url = http_folder
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    hub = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / 'hub'))
    try:
        torch.save(dict(state_dict={'w': torch.ones(2)}), folder / 'good.pth')
        marker = str(tmp_path / 'executed')
        torch.save(dict(meta=_Payload(marker)), folder / 'evil.pth')
        loaded = _load_checkpoint(f'{url}/good.pth', map_location='cpu')
        assert torch.equal(loaded['state_dict']['w'], torch.ones(2))
        assert osp.isfile(tmp_path / 'hub' / 'checkpoints' / 'good.pth')  # cached
        with pytest.raises(UnsafeCheckpointError, match=r'evil\.pth.*allow-list'):
            _load_checkpoint(f'{url}/evil.pth', map_location='cpu')
        assert not osp.exists(marker)
    finally:
        torch.hub.set_dir(hub)


def test_an_unreachable_url_names_it_and_the_way_out(tmp_path):
    hub = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / 'hub'))
    try:
        with pytest.raises(
            DownloadError, match=r'cannot download checkpoint http://127\.0\.0\.1:9/'
        ):
            _load_checkpoint('http://127.0.0.1:9/weights.pth')
        with pytest.raises(DownloadError, match='mmengine knows no model'):
            _load_checkpoint('mmcls://no_such_model')
    finally:
        torch.hub.set_dir(hub)


def test_numpy_values_of_every_kind_and_numpy_1_names_load(tmp_path):
    """Checkpoints hold numpy scalars of any dtype (uint counters, str_ names), and
    those written under numpy 1.x name numpy.core.multiarray (numpy 2: numpy._core)."""
    values = dict(
        u=np.uint32(7), s=np.str_('car'), b=np.bytes_(b'x'), a=np.arange(3, dtype=np.uint16)
    )
    path = str(tmp_path / 'numpy.pth')
    torch.save(dict(meta=values), path, _use_new_zipfile_serialization=False)
    raw = open(path, 'rb').read()
    assert b'numpy._core.multiarray' in raw  # pickle's text GLOBAL lines: renamed below
    open(path, 'wb').write(raw.replace(b'numpy._core.multiarray', b'numpy.core.multiarray'))
    loaded = _load_checkpoint(path, map_location='cpu')['meta']
    assert loaded['u'] == 7 and loaded['s'] == 'car' and loaded['b'] == b'x'
    assert loaded['a'].dtype == np.uint16 and loaded['a'].tolist() == [0, 1, 2]


def test_mmcls_scheme_gives_the_classifiers_backbone_weights_as_mmengine_does(
    http_folder, tmp_path, monkeypatch
):
    """mmseg's M-V2 configs name 'mmcls://mobilenet_v2': a backbone's Pretrained init
    gets the classifier's backbone weights without their prefix (mmengine's route)."""
    import mmengine.runner.checkpoint as mmengine_checkpoint

    folder, url = http_folder
    torch.save(
        dict(state_dict={'backbone.conv1.w': torch.ones(1), 'head.fc.w': torch.zeros(1)}),
        folder / 'cls.pth',
    )
    monkeypatch.setattr(mmengine_checkpoint, 'get_mmcls_models', lambda: {'mine': f'{url}/cls.pth'})
    hub = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / 'hub'))
    try:
        loaded = _load_checkpoint('mmcls://mine', map_location='cpu')
    finally:
        torch.hub.set_dir(hub)
    assert list(loaded['state_dict']) == ['conv1.w']
