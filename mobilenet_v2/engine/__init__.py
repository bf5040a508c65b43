"""Training-loop hooks our tools add to every run (registered in scope ``mobilenet_v2``)."""

from .hooks import IterationSeedHook

__all__ = ['IterationSeedHook']
