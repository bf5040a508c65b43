"""Docs generated from the code stay in step with it."""

from .conftest import run_tool


def test_troubleshooting_lists_every_error_message_the_code_raises():
    proc = run_tool('tools/misc/error_messages.py', '--check', check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_error_list_renders_placeholders_and_finds_raises_and_printed_errors(tmp_path):
    import ast

    from tools.misc.error_messages import messages, render

    source = tmp_path / 'example.py'
    source.write_text(
        'def f(path):\n'
        "    raise ConfigError(f'file {path} is ' + 'missing: give another')\n"
        "    print(f'error: {path} broke', file=sys.stderr)\n"
        "    raise ValueError('not a user error')\n"
    )
    assert [m for _, m in messages(str(source))] == [
        'file {path} is missing: give another',
        '{path} broke',
    ]
    assert render(ast.parse("f'{a.b:g} x'", mode='eval').body) == '{a.b} x'
