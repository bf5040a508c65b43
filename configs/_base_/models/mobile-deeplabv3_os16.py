# The paper's Mobile DeepLabv3 (Table 7): MobileNetV2 1.0 at output stride 16 (DeepLab's
# dilation convention), the DeepLabv3 head on the second-to-last feature map (layer7,
# 320 channels), 256 channels, ASPP rates 6/12/18. 21 classes (PASCAL VOC) by default.
# At 512x512: 4.52M params (paper: 4.52M). No auxiliary head, as in the paper.
custom_imports = dict(imports=['mobilenet_v2'], allow_failed_imports=False)
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        type='mobilenet_v2.MobileNetV2',
        widen_factor=1.0,
        output_stride=16,
        out_indices=(6,),
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2'),
    ),
    decode_head=dict(
        type='mobilenet_v2.MobileASPPHead',
        in_channels=320,
        in_index=0,
        channels=256,
        dilations=(1, 6, 12, 18),
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'),
)
