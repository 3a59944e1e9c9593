"""An ONNX-friendly STFT for tools/export_onnx.py.

The TorchScript ONNX exporter cannot export ``torch.stft`` (nor torchaudio's Spectrogram and
MelSpectrogram, which call it). During export, ``stft_substituted`` replaces it with the same
transform written as a convolution with a DFT basis; the PyTorch model itself is untouched.
"""

from __future__ import annotations

import contextlib
import math
from typing import Iterator

import torch
import torch.nn.functional as F

from export_errors import fail


class ExportComplex:
    """A complex STFT as its real and imaginary parts, for export only.

    The ONNX exporter cannot carry complex tensors. This stands in for the complex result of
    ``torch.stft(..., return_complex=True)``: shape operations and real scaling apply to both
    parts, and ``abs()``, ``.real``, ``.imag``, ``torch.view_as_real`` give real tensors, which is
    all a spectrogram front end does with it. Anything else is refused by name.
    """

    def __init__(self, real: torch.Tensor, imag: torch.Tensor) -> None:
        self.real = real
        self.imag = imag

    # Shape and indexing: the same on both parts.
    @property
    def shape(self) -> torch.Size:
        return self.real.shape

    def size(self, *dim: int) -> Any:
        return self.real.size(*dim)

    def dim(self) -> int:
        return self.real.dim()

    @property
    def ndim(self) -> int:
        return self.real.dim()

    def _both(self, name: str, *args: Any, **kwargs: Any) -> "ExportComplex":
        return ExportComplex(getattr(self.real, name)(*args, **kwargs), getattr(self.imag, name)(*args, **kwargs))

    def reshape(self, *args: Any) -> "ExportComplex":
        return self._both("reshape", *args)

    def view(self, *args: Any) -> "ExportComplex":
        return self._both("reshape", *args)

    def transpose(self, *args: Any) -> "ExportComplex":
        return self._both("transpose", *args)

    def permute(self, *args: Any) -> "ExportComplex":
        return self._both("permute", *args)

    def squeeze(self, *args: Any) -> "ExportComplex":
        return self._both("squeeze", *args)

    def unsqueeze(self, *args: Any) -> "ExportComplex":
        return self._both("unsqueeze", *args)

    def contiguous(self) -> "ExportComplex":
        return self

    def __getitem__(self, index: Any) -> "ExportComplex":
        return ExportComplex(self.real[index], self.imag[index])

    # Scaling by real values.
    def __mul__(self, other: Any) -> "ExportComplex":
        return ExportComplex(self.real * other, self.imag * other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> "ExportComplex":
        return ExportComplex(self.real / other, self.imag / other)

    __itruediv__ = __truediv__
    __imul__ = __mul__

    # To real values.
    def abs(self) -> torch.Tensor:
        return torch.sqrt(self.real * self.real + self.imag * self.imag)

    def angle(self) -> torch.Tensor:
        return torch.atan2(self.imag, self.real)

    def pow(self, exponent: float) -> Any:
        if exponent == 2:
            # Callers that square the complex value itself are rare; |X|^2 is what front ends mean
            # by .abs().pow(2), handled above. A complex square is not that.
            fail("the encoder squares the complex STFT itself (x.pow(2), not x.abs().pow(2)); compute the power as x.abs() ** 2")
        fail(f"the encoder raises the complex STFT to the power {exponent}; use x.abs() first")

    __pow__ = pow

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        value = args[0]
        if func in (torch.abs, torch.Tensor.abs):
            return value.abs()
        if func is torch.view_as_real:
            return torch.stack([value.real, value.imag], dim=-1)
        if func in (torch.real, torch.Tensor.real.__get__ if hasattr(torch.Tensor.real, "__get__") else None):
            return value.real
        if func is torch.imag:
            return value.imag
        if func is torch.angle:
            return value.angle()
        fail(f"the encoder applies {getattr(func, '__name__', func)} to the complex STFT, which the ONNX-friendly STFT does not support; "
             "use its magnitude (x.abs()), or torch.view_as_real(x), or export with --no-stft-substitution on a torch whose exporter has STFT")

    def __getattr__(self, name: str) -> Any:
        fail(f"the encoder uses .{name} of the complex STFT, which the ONNX-friendly STFT does not support; "
             "use its magnitude (x.abs()) or torch.view_as_real(x)")


def onnx_friendly_stft(
    input: torch.Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: torch.Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Any:
    """``torch.stft`` as a strided convolution with a windowed DFT basis: the same numbers, in
    operators every ONNX exporter and runtime has (Pad, Conv)."""
    import numpy as np

    hop = hop_length if hop_length is not None else n_fft // 4
    win = win_length if win_length is not None else n_fft
    # The basis is a constant of the graph: built in numpy from the window's values, so the
    # exporter sees a convolution with a known kernel (a traced window would leave its shape open).
    taper = np.ones(win) if window is None else window.detach().cpu().numpy().astype(np.float64)
    if win < n_fft:
        left = (n_fft - win) // 2
        taper = np.pad(taper, (left, n_fft - win - left))
    one_dimensional = input.dim() == 1
    x = input.unsqueeze(0) if one_dimensional else input
    x = x.unsqueeze(1)
    if center:
        x = F.pad(x, (n_fft // 2, n_fft // 2), mode=pad_mode)
    bins = n_fft // 2 + 1 if onesided in (None, True) else n_fft
    # Angles from exact integer products modulo n_fft, in float64, so the basis is exact to float32.
    angle = (2 * np.pi / n_fft) * np.mod(np.arange(bins)[:, None] * np.arange(n_fft)[None, :], n_fft)
    basis_values = np.concatenate([np.cos(angle) * taper, -np.sin(angle) * taper], axis=0)
    basis = torch.from_numpy(basis_values[:, None, :].astype(np.float32)).to(input.dtype)
    frames = F.conv1d(x, basis, stride=hop)
    real, imag = frames[:, :bins], frames[:, bins:]
    if normalized:
        real, imag = real / math.sqrt(n_fft), imag / math.sqrt(n_fft)
    if one_dimensional:
        real, imag = real.squeeze(0), imag.squeeze(0)
    if return_complex:
        return ExportComplex(real, imag)
    return torch.stack([real, imag], dim=-1)


@contextlib.contextmanager
def stft_substituted(enabled: bool) -> Iterator[None]:
    """Within the block, torch.stft (and so torchaudio's Spectrogram and MelSpectrogram, which
    call it) is the ONNX-friendly STFT above."""
    if not enabled:
        yield
        return
    original = torch.stft
    functional = torch.functional.stft
    torch.stft = onnx_friendly_stft  # type: ignore[assignment]
    torch.functional.stft = onnx_friendly_stft  # type: ignore[assignment]
    try:
        yield
    finally:
        torch.stft = original  # type: ignore[assignment]
        torch.functional.stft = functional  # type: ignore[assignment]
