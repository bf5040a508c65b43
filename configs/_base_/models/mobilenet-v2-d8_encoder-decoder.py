# MobileNetV2 1.0 at output stride 8 ("M-V2-D8") in an mmseg EncoderDecoder, as in
# mmsegmentation 1.2.2's configs/mobilenet_v2: ImageNet-pretrained (mmpretrain's
# checkpoint), SyncBN, outputs of layer2 (24 ch), layer3 (32), layer5 (96), layer7 (320);
# the auxiliary FCN head on the 96-channel stage with weight 0.4. The method fragments
# beside this file add the decode head. Cityscapes' 19 classes by default.
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
    pretrained=None,  # EncoderDecoder would push it into the backbone; we use init_cfg
    backbone=dict(
        type='mobilenet_v2.MobileNetV2',
        widen_factor=1.0,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),  # mmseg's: first block of each stage only
        out_indices=(1, 2, 4, 6),
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2'),
    ),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=96,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'),
)
