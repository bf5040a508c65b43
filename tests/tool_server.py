"""A process that imports the stack once and forks a child for each tool run of the tests.

A repository tool run as ``python tools/X.py`` spends 6-13 s of a 2-core machine
importing torch, mmengine and the three toolboxes before it reads its config; the suite
runs about a hundred of them. This server imports the toolboxes once (not this
project: a tool imports it, and sets its warning filters, itself), without running a
torch operation, and answers each request (a JSON line on stdin) by forking a child that
is then what ``python tools/X.py ...`` would be: its own process and process group,
working directory, environment, ``sys.argv``, ``sys.path[0]``, stdout and stderr files,
and exit status (``SystemExit`` and an uncaught exception end it as they end an
interpreter, with its ``atexit`` handlers). One JSON line answers each request:
``{"code": exit status, "timeout": bool, "leftover": bool}``; ``timeout``: the run
outlived its time and its process group was killed; ``leftover``: the run ended but
left processes of its group running (killed).

Fork safety: with ``OMP_NUM_THREADS=1`` (the suite's default) the imports start no
thread; with more, the OpenBLAS pools of numpy, scipy and OpenCV wait idle, and OpenBLAS
re-creates them in a child (its fork handlers). CUDA is asked about through NVML only
(``PYTORCH_NVML_BASED_CUDA_CHECK``: mmengine's import calls ``torch.cuda.is_available``,
which would otherwise leave CUDA unusable in every child).

Started by ``tests/conftest.py: run_tool`` once per test worker, with the environment
that matters at import time (``OMP_NUM_THREADS``, ``PYTHONHASHSEED``) already set.
"""

import ctypes
import json
import os
import runpy
import signal
import sys
import tempfile
import time

os.environ['PYTORCH_NVML_BASED_CUDA_CHECK'] = '1'
STARTING_ENV = dict(os.environ)

import mmdet.models  # noqa: E402, F401  (imports mmpretrain's models too)
import mmengine.runner  # noqa: E402, F401
import mmseg.models  # noqa: E402, F401
import numpy as np  # noqa: E402

# what the imports set in the environment (OpenCV's, the inductor cache): a tool's own
# import would have set them too, where its environment does not give them
IMPORTS_SET = {k: v for k, v in os.environ.items() if STARTING_ENV.get(k) != v}
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def become_the_tool(request: dict):
    """In the forked child: set up the process as the interpreter of the request's tool
    and run it; never returns."""
    os.setpgid(0, 0)
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the server gone: end
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request['stdout'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(request['stderr'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for fd, target in ((null, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update({**IMPORTS_SET, **request['env']})
    tempfile.tempdir = None  # read TMPDIR again
    np.random.seed()  # as a new interpreter: its own numpy state (Python's random reseeds)
    script = request['argv'][0]
    sys.argv = list(request['argv'])
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name='__main__')
    sys.exit(0)


def wait(pid: int, timeout: float) -> dict:
    """The reply for child ``pid``: its exit status as ``subprocess`` gives it (negative:
    the signal that ended it), killing its process group at ``timeout`` seconds, when
    processes of the group outlive it, and when the server itself is interrupted."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return dict(code=None, timeout=True, leftover=False)
            time.sleep(0.02)
    except BaseException:
        os.killpg(pid, signal.SIGKILL)
        raise
    try:
        os.killpg(pid, signal.SIGKILL)
        leftover = True
    except ProcessLookupError:
        leftover = False
    return dict(code=os.waitstatus_to_exitcode(status), timeout=False, leftover=leftover)


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
