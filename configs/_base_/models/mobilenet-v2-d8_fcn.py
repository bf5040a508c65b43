# FCN (mmseg's FCNHead, two 3x3 convs, input concatenated) on the 320-channel layer7.
_base_ = './mobilenet-v2-d8_encoder-decoder.py'
model = dict(
    decode_head=dict(
        type='FCNHead',
        in_channels=320,
        in_index=3,
        channels=512,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
    )
)
