# MobileNetV2 0.35 on ImageNet-1k at 224, the width-1.0 recipe with another width.
_base_ = './mobilenet-v2_8xb32_in1k.py'
model = dict(backbone=dict(widen_factor=0.35))
upstream_config = None  # no upstream model of this architecture
