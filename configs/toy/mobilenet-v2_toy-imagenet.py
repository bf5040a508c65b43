# MobileNetV2 1.0 trained from scratch on the built-in toy ImageNet-format set: the
# real model and ImageNet loader at 64x64, a few minutes on 2 CPU cores.
#   python tools/train.py configs/toy/mobilenet-v2_toy-imagenet.py
_base_ = [
    '../_base_/models/mobilenet-v2_in1k.py',
    '../_base_/datasets/toy-imagenet.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10, topk=(1,)))

max_iters = 900
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=20, end=max_iters, eta_min=1e-4),
]
train_cfg = dict(by_epoch=False, max_iters=max_iters, val_interval=300)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=300,
        max_keep_ckpts=2,
        save_best='accuracy/top1',
        rule='greater',
    ),
)
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, deterministic=True)
