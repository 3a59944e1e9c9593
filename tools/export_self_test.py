"""The encoder of ``python tools/export_onnx.py --self-test``: a small conv + transformer
encoder, written like an X-ARES template encoder, with fixed random weights."""

from __future__ import annotations

import math

import torch
from torch import nn


class SelfTestBlock(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(dim // heads)
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, frames, dim = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(batch, frames, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(batch, frames, dim))
        return x + self.mlp(self.norm2(x))


class SelfTestEncoder(nn.Module):
    """Conv front end (25 ms windows, 20 ms hop) + two transformer blocks, D = 64."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.sampling_rate = 16000
        self.output_dim = 64
        self.hop_size_in_ms = 20
        self.frontend = nn.Sequential(nn.Conv1d(1, 32, 400, stride=320, padding=200), nn.GELU(), nn.Conv1d(32, 64, 3, padding=1))
        self.blocks = nn.ModuleList([SelfTestBlock(64, 4) for _ in range(2)])
        self.norm = nn.LayerNorm(64)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        x = self.frontend(audio.unsqueeze(1)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)
