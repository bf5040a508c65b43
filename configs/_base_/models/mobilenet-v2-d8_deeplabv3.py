# DeepLabV3 (ASPP with rates 1, 12, 24, 36 and image pooling) on the 320-channel layer7.
_base_ = './mobilenet-v2-d8_encoder-decoder.py'
model = dict(
    decode_head=dict(
        type='ASPPHead',
        in_channels=320,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
    )
)
