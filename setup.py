"""mobilenet_v2: MobileNetV2 for mmsegmentation, mmdetection and mmpretrain.

Ships configs/ inside the package as mobilenet_v2/.mim/configs, so configs elsewhere can
inherit them by path (``mobilenet_v2.apis.config_path('fcn/...')`` gives it). mmengine
0.10.7 resolves ``'pkg::'`` only for OpenMMLab's own packages, so the mim convention
``'mobilenet_v2::fcn/...'`` does not work for us.
"""

import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))
MIM_DIR = osp.join(ROOT, 'mobilenet_v2', '.mim')


def read_requirements(name):
    with open(osp.join(ROOT, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def add_mim_extension():
    """Link (editable install) or copy (wheel build) configs/ into the package."""
    editable = 'develop' in sys.argv or any('editable' in arg for arg in sys.argv)
    src, dst = osp.join(ROOT, 'configs'), osp.join(MIM_DIR, 'configs')
    if osp.lexists(dst):
        shutil.rmtree(dst) if osp.isdir(dst) and not osp.islink(dst) else os.remove(dst)
    os.makedirs(MIM_DIR, exist_ok=True)
    if editable:
        os.symlink(osp.relpath(src, MIM_DIR), dst)
    else:
        shutil.copytree(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mobilenet_v2',
        version='0.1.0',
        description='MobileNetV2 (Sandler et al. 2018) for mmseg, mmdet and mmpretrain',
        long_description=open(osp.join(ROOT, 'README.md')).read(),
        long_description_content_type='text/markdown',
        python_requires='>=3.9',
        packages=find_packages(include=['mobilenet_v2', 'mobilenet_v2.*']),
        include_package_data=True,
        package_data={'mobilenet_v2': ['.mim/configs/**/*.py', '.mim/configs/**/*.md']},
        install_requires=read_requirements('runtime.txt'),
        extras_require={
            'tests': read_requirements('tests.txt'),
            'optional': read_requirements('optional.txt'),
        },
        zip_safe=False,
    )
