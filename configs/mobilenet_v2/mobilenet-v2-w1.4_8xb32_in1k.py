# MobileNetV2 1.4 on ImageNet-1k at 224, the width-1.0 recipe with another width.
_base_ = './mobilenet-v2_8xb32_in1k.py'
model = dict(backbone=dict(widen_factor=1.4), head=dict(in_channels=1792))
upstream_config = None  # no upstream model of this architecture
