"""An 85.5M-parameter transformer audio encoder for the device benchmark, written like an X-ARES
template encoder so that tools/export_onnx.py exports it: a patch convolution of 640 samples
with stride 640 (40 ms at 16 kHz), fixed sinusoidal positions, 12 pre-norm transformer layers of
width 768 with 12 heads and a 3072-wide GELU MLP, and a final LayerNorm. Weights are random
with a fixed seed, so the ONNX export and the PyTorch peer (bench/peers/encoder_torch.py) run
the same model.
"""

from __future__ import annotations

import math

import torch
from torch import nn

DIM = 768
LAYERS = 12
HEADS = 12
PATCH = 640
MAX_FRAMES = 1500  # 60 s


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM)
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)
        self.norm2 = nn.LayerNorm(DIM)
        self.mlp = nn.Sequential(nn.Linear(DIM, 4 * DIM), nn.GELU(), nn.Linear(4 * DIM, DIM))
        self.scale = 1.0 / math.sqrt(DIM // HEADS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, frames, _ = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(batch, frames, 3, HEADS, DIM // HEADS).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(batch, frames, DIM))
        return x + self.mlp(self.norm2(x))


class Transformer85MEncoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.sampling_rate = 16000
        self.output_dim = DIM
        self.hop_size_in_ms = 40
        self.patch = nn.Conv1d(1, DIM, PATCH, stride=PATCH)
        frames = torch.arange(MAX_FRAMES, dtype=torch.float32).unsqueeze(1)
        rates = torch.exp(torch.arange(0, DIM, 2, dtype=torch.float32) * (-math.log(10000.0) / DIM))
        position = torch.zeros(MAX_FRAMES, DIM)
        position[:, 0::2] = torch.sin(frames * rates)
        position[:, 1::2] = torch.cos(frames * rates)
        self.register_buffer("position", position)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.norm = nn.LayerNorm(DIM)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        x = self.patch(audio.unsqueeze(1)).transpose(1, 2)
        x = x + self.position[: x.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)
