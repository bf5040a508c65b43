# MobileNetV2 1.0 ImageNet classifier (mmpretrain scope): backbone, global pooling, fc.
custom_imports = dict(imports=['mobilenet_v2'], allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    backbone=dict(type='mobilenet_v2.MobileNetV2', widen_factor=1.0, out_indices=(7,)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1280,  # conv2; 1792 at width 1.4 (widths below 1 keep 1280)
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
