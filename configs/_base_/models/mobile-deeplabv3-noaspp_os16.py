# The paper's cheaper Mobile DeepLabv3 (Table 7, "no ASPP"): only the 1x1 conv and the
# image-pooling branch. At 512x512: 2.11M params (paper: 2.11M).
_base_ = './mobile-deeplabv3_os16.py'
model = dict(decode_head=dict(dilations=(1,)))
