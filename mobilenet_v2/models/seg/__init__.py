from .mobile_aspp_head import MobileASPPHead

__all__ = ['MobileASPPHead']
