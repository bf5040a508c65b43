"""A process that imports the stack once and forks a child for each tool run of the tests.

A repository tool run as ``python tools/X.py`` spends 6-13 s of a 2-core machine
importing torch, mmengine and the three toolboxes before it reads its config; the suite
runs about a hundred of them. This server imports them once, without running a single
torch operation (so no OpenMP or intra-op thread exists yet and ``fork`` is safe), and
answers each request (a JSON line on stdin) by forking a child that is then what
``python tools/X.py ...`` would be: its own process and process group, working directory,
environment, ``sys.argv``, ``sys.path[0]``, stdout and stderr files, and exit status
(``SystemExit`` and an uncaught exception end it as they end an interpreter, with its
``atexit`` handlers). The server writes one JSON line back per request: the exit status,
or ``None`` when the run outlived its timeout and its process group was killed.

Started by ``tests/conftest.py: run_tool`` once per test worker, with the environment
that matters at import time (``OMP_NUM_THREADS``, ``PYTHONHASHSEED``) already set.
"""

import json
import os
import runpy
import signal
import sys
import tempfile
import time

import mmdet.models  # noqa: F401  (imports mmpretrain's models too)
import mmengine.runner  # noqa: F401
import mmseg.models  # noqa: F401
import torch  # noqa: F401

import mobilenet_v2.apis.cli  # noqa: F401


def become_the_tool(request: dict):
    """In the forked child: set up the process as the interpreter of the request's tool
    and run it; never returns."""
    os.setpgid(0, 0)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update(request['env'])
    tempfile.tempdir = None  # read TMPDIR again
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request['stdout'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(request['stderr'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for fd, target in ((null, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    script = request['argv'][0]
    sys.argv = list(request['argv'])
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name='__main__')
    sys.exit(0)


def wait(pid: int, timeout: float):
    """The child's exit status as ``subprocess`` gives it (negative: the signal that
    ended it), or None after killing its process group at ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.02)


def serve():
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            become_the_tool(request)
        print(json.dumps(wait(pid, request['timeout'])), flush=True)


if __name__ == '__main__':
    serve()
