"""Peak activation memory of a forward pass, counted tensor by tensor.

``ActivationMemory`` is a TorchDispatchMode: every tensor an operator creates is counted
from its creation until its storage is freed (torch keeps one Python object per storage,
so a finalizer on it fires exactly then). Weights and the input are not counted, nor
are views and in-place results (they share an input's storage). Figures are bytes of
the dtype the model runs in (fp32 on CPU); ``elements`` divides by the element size, so
the paper's 16-bit figures are ``2 * elements`` bytes.
"""

import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves


class ActivationMemory(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.live, self.current, self.peak, self.peak_elements = {}, 0, 0, 0
        self._elements = 0

    def _release(self, key, nbytes, elements):
        if self.live.pop(key, None) is not None:
            self.current -= nbytes
            self._elements -= elements

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = {
            t.untyped_storage().data_ptr()
            for t in tree_leaves((args, kwargs))
            if isinstance(t, torch.Tensor)
        }
        for tensor in tree_leaves(out):
            if not isinstance(tensor, torch.Tensor):
                continue
            storage = tensor.untyped_storage()
            key = storage.data_ptr()
            # views (weight slices, reshapes) and in-place results own no new memory
            if key in self.live or key in inputs or storage.nbytes() == 0:
                continue
            nbytes = storage.nbytes()
            elements = nbytes // tensor.element_size()
            self.live[key] = nbytes
            self.current += nbytes
            self._elements += elements
            weakref.finalize(storage, self._release, key, nbytes, elements)
            if self.current > self.peak:
                self.peak, self.peak_elements = self.current, self._elements
        return out


@torch.no_grad()
def peak_activation_memory(model: torch.nn.Module, inputs: torch.Tensor) -> dict:
    """``peak_bytes`` and ``peak_elements`` of live activations during
    ``model(inputs)`` (eval mode, no gradients)."""
    model.eval()
    with ActivationMemory() as tracker:
        model(inputs)
    return dict(peak_bytes=tracker.peak, peak_elements=tracker.peak_elements)
