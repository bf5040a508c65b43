# The built-in toy set in ImageNet's on-disk layout (mobilenet_v2/datasets/toy_imagenet.py):
# 10 classes of drawn shapes and textures, 64x64, 200 train / 30 val images per class.
#   python tools/dataset_converters/make_toy_data.py imagenet data/toy_imagenet
dataset_type = 'ImageNet'
data_root = 'data/toy_imagenet'
# mobilenet_v2/datasets/toy_imagenet.py CLASSES (tests/test_configs.py holds this copy to it)
classes = (
    'circle',
    'square',
    'triangle',
    'cross',
    'ring',
    'horizontal_stripes',
    'vertical_stripes',
    'checkerboard',
    'diamond',
    'dots',
)
data_preprocessor = dict(
    num_classes=10, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        metainfo=dict(classes=classes),
        pipeline=train_pipeline,
    ),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=50,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        metainfo=dict(classes=classes),
        pipeline=test_pipeline,
    ),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1,))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
