# What every segmentation model here shares: the plugin import, SyncBN, mmseg's data
# preprocessing and an EncoderDecoder around our MobileNetV2 1.0, ImageNet-pretrained
# (mmpretrain's checkpoint). The fragments beside this file set the output stride, the
# outputs and the heads.
custom_imports = dict(
    imports=['mobilenet_v2', 'mobilenet_v2.models.seg'], allow_failed_imports=False
)
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
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2'),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'),
)
