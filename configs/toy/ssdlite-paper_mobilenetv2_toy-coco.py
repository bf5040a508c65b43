# The paper's SSDLite (MobileNetV2 1.0, layer-15 expansion and conv2, TF's anchors)
# trained from scratch on the toy COCO-format shapes at 160x160 (anchors halved with the
# input), AdamW, a few minutes on 2 CPU cores; COCO bbox mAP through mmdet's CocoMetric.
#   python tools/train.py configs/toy/ssdlite-paper_mobilenetv2_toy-coco.py
_base_ = '../ssdlite/ssdlite-paper_mobilenetv2-scratch_8xb24-600e_coco.py'

# the toy shapes in COCO's layout (mobilenet_v2/datasets/toy_coco.py): 4 classes, 160x160,
# 2000 train / 100 val images:  python tools/dataset_converters/make_toy_data.py coco data/toy_coco
dataset_type = 'CocoDataset'
data_root = 'data/toy_coco/'
# mobilenet_v2/datasets/toy_coco.py CLASSES (tests/test_configs.py holds this copy to it)
metainfo = dict(classes=('rectangle', 'ellipse', 'triangle', 'cross'))
input_size = 160
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'),
    ),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'annotations/instances_val2017.json', metric='bbox'
)
test_evaluator = val_evaluator

model = dict(
    bbox_head=dict(
        num_classes=4,
        anchor_generator=dict(
            strides=[16, 32, 53, 80, 160, 160],
            min_sizes=[24, 50, 75, 101, 126, 152],
            max_sizes=[50, 75, 101, 126, 152, 160],
        ),
    )
)
max_iters = 600
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters
)
optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters),
)
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, deterministic=True)
auto_scale_lr = dict(enable=False)
env_cfg = dict(cudnn_benchmark=False)
