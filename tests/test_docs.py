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


def test_metafiles_model_index_and_zoo_table_match_the_configs():
    """Params and MAdds are counted, upstream results and weights read from the
    toolboxes' own metafiles: never typed by hand."""
    proc = run_tool('tools/misc/metafiles.py', '--check', check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_metafiles_carry_the_papers_counts_and_upstream_weights():
    import os.path as osp

    import yaml

    from .conftest import ROOT

    index = yaml.safe_load(open(osp.join(ROOT, 'model-index.yml')))
    models = {
        m['Name']: m
        for path in index['Import']
        for m in yaml.safe_load(open(osp.join(ROOT, path)))['Models']
    }
    classifier = models['mobilenet-v2_8xb32_in1k']['Metadata']
    # paper Table 4: 3.4M params (without the 1001-way classifier's bias/extra row
    # conventions: 3.5M here) and 300M MAdds
    assert round(classifier['Parameters'] / 1e6, 1) == 3.5
    assert round(classifier['MAdds'] / 1e6) == 301
    ssdlite = models['ssdlite-paper_mobilenetv2-imagenet_8xb24-120e_coco']['Metadata']
    assert round(ssdlite['Parameters'] / 1e6, 1) == 4.3  # paper Table 6: 4.3M
    assert round(ssdlite['MAdds'] / 1e9, 1) == 0.8  # paper Table 6: 0.8B
    fcn = models['mobilenet-v2-d8_fcn_4xb2-80k_cityscapes-512x1024']
    assert fcn['Weights'].startswith('https://download.openmmlab.com/mmsegmentation/')
    assert any(r['Metrics'].get('mIoU') == 71.19 for r in fcn['Results'])
