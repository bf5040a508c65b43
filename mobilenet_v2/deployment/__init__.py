"""Fast inference: our models as self-contained ONNX graphs (pre-processing, network and
post-processing, NMS included for detection), run by ONNX Runtime in fp32 or int8."""

from .export import DeployModel, export_onnx
from .runtime import OrtModel

__all__ = ['DeployModel', 'export_onnx', 'OrtModel']
