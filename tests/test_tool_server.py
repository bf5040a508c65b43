"""tests/tool_server.py: a forked tool run ends, and reports, as a new interpreter's would."""

import subprocess
import textwrap

import pytest

from .conftest import run_tool

SCRIPT = """
import os, sys, tempfile
print(sys.argv[1:], os.getcwd(), os.environ.get('TMPDIR'), tempfile.gettempdir())
print('to stderr', file=sys.stderr)
if sys.argv[1] == 'exit':
    sys.exit(int(sys.argv[2]))
if sys.argv[1] == 'text':
    sys.exit('error: a text')
if sys.argv[1] == 'raise':
    raise ValueError('deep inside')
if sys.argv[1] == 'sleep':
    import time
    time.sleep(60)
if sys.argv[1] == 'leave':
    import subprocess
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
"""


@pytest.fixture
def script(tmp_path):
    path = tmp_path / 'tool.py'
    path.write_text(textwrap.dedent(SCRIPT))
    return str(path)


def test_exit_status_output_and_environment_are_the_tools(script, tmp_path):
    (tmp_path / 'tmp').mkdir()
    env = {'TMPDIR': str(tmp_path / 'tmp')}
    proc = run_tool(script, 'exit', '0', cwd=tmp_path, env=env)
    printed = f"['exit', '0'] {tmp_path} {tmp_path / 'tmp'} {tmp_path / 'tmp'}"
    assert proc.stdout.strip() == printed and proc.stderr == 'to stderr\n'
    assert run_tool(script, 'exit', '3', check=False).returncode == 3
    proc = run_tool(script, 'text', check=False)
    assert proc.returncode == 1 and proc.stderr.endswith('error: a text\n')
    proc = run_tool(script, 'raise', check=False)
    assert proc.returncode == 1 and 'ValueError: deep inside' in proc.stderr
    # the next run starts from the server's state, none of the last run's
    proc = run_tool(script, 'exit', '0')
    assert str(tmp_path) not in proc.stdout and proc.stdout.startswith("['exit', '0'] /")


def test_a_run_past_its_time_or_leaving_processes_is_killed_and_reported(script):
    with pytest.raises(subprocess.TimeoutExpired):
        run_tool(script, 'sleep', timeout=1)
    with pytest.raises(AssertionError, match='left processes running'):
        run_tool(script, 'leave')
    assert run_tool(script, 'exit', '0').returncode == 0  # the server goes on
