"""Real-ESRGAN's two generator networks, written here so the official weights load without basicsr/torchvision.

Module and parameter names follow the official checkpoints exactly, so their state dicts load with strict=True:
RRDBNet (RealESRGAN_x4plus, x2plus: `conv_first`, `body.{i}.rdb{1-3}.conv{1-5}`, `conv_body`, `conv_up1`,
`conv_up2`, `conv_hr`, `conv_last`) and SRVGGNetCompact (realesr-general-x4v3, animevideov3: `body.{i}` convs
and PReLUs, then a pixel shuffle over a nearest-upsampled copy of the input). Official files wrap the state
dict as `params_ema` or `params`; `network_for` reads which architecture and size a state dict describes.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


class ResidualDenseBlock(nn.Module):
    def __init__(self, feat: int = 64, grow: int = 32):
        super().__init__()
        self.conv1 = nn.Conv2d(feat, grow, 3, 1, 1)
        self.conv2 = nn.Conv2d(feat + grow, grow, 3, 1, 1)
        self.conv3 = nn.Conv2d(feat + 2 * grow, grow, 3, 1, 1)
        self.conv4 = nn.Conv2d(feat + 3 * grow, grow, 3, 1, 1)
        self.conv5 = nn.Conv2d(feat + 4 * grow, feat, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = F.leaky_relu(self.conv1(x), 0.2)
        x2 = F.leaky_relu(self.conv2(torch.cat((x, x1), 1)), 0.2)
        x3 = F.leaky_relu(self.conv3(torch.cat((x, x1, x2), 1)), 0.2)
        x4 = F.leaky_relu(self.conv4(torch.cat((x, x1, x2, x3), 1)), 0.2)
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x  # residual scaling keeps the deep stack stable


class RRDB(nn.Module):
    def __init__(self, feat: int, grow: int):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(feat, grow)
        self.rdb2 = ResidualDenseBlock(feat, grow)
        self.rdb3 = ResidualDenseBlock(feat, grow)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """ESRGAN's generator: x4 directly; x2 and x1 first fold pixels into channels (pixel_unshuffle)."""

    def __init__(self, scale: int = 4, feat: int = 64, blocks: int = 23, grow: int = 32, channels: int = 3):
        super().__init__()
        if scale not in (1, 2, 4):
            raise ValueError(f"RRDBNet scale must be 1, 2 or 4, got {scale}")
        self.scale = scale
        self.conv_first = nn.Conv2d(channels * (16 if scale == 1 else 4 if scale == 2 else 1), feat, 3, 1, 1)
        self.body = nn.Sequential(*(RRDB(feat, grow) for _ in range(blocks)))
        self.conv_body = nn.Conv2d(feat, feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(feat, feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(feat, feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(feat, feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(feat, channels, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scale != 4:
            x = F.pixel_unshuffle(x, 4 // self.scale)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


class SRVGGNetCompact(nn.Module):
    """The compact VGG-style generator: `convs` body convolutions, each followed by a PReLU."""

    def __init__(self, scale: int = 4, feat: int = 64, convs: int = 32, channels: int = 3):
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [nn.Conv2d(channels, feat, 3, 1, 1), nn.PReLU(num_parameters=feat)]
        for _ in range(convs):
            layers += [nn.Conv2d(feat, feat, 3, 1, 1), nn.PReLU(num_parameters=feat)]
        layers.append(nn.Conv2d(feat, channels * scale * scale, 3, 1, 1))
        self.body = nn.ModuleList(layers)
        self.upsampler = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for layer in self.body:
            out = layer(out)
        return self.upsampler(out) + F.interpolate(x, scale_factor=self.scale, mode="nearest")


def unwrap(checkpoint: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The generator's state dict from an official file (`params_ema` preferred, then `params`) or a bare one."""
    for key in ("params_ema", "params"):
        if key in checkpoint:
            return checkpoint[key]
    return checkpoint


def network_for(state: dict[str, torch.Tensor]) -> nn.Module:
    """An untrained network of the architecture and size `state` describes (strict-load it after)."""
    if "conv_first.weight" in state:
        feat, folded = state["conv_first.weight"].shape[:2]
        blocks = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("body."))
        grow = state["body.0.rdb1.conv1.weight"].shape[0]
        channels = state["conv_last.weight"].shape[0]
        scale = {1: 4, 4: 2, 16: 1}[folded // channels]
        return RRDBNet(scale=scale, feat=feat, blocks=blocks, grow=grow, channels=channels)
    if "body.0.weight" in state:
        convs = [int(k.split(".")[1]) for k in state if k.startswith("body.") and k.endswith(".weight")
                 and state[k].dim() == 4]
        first, last = state["body.0.weight"], state[f"body.{max(convs)}.weight"]
        channels = first.shape[1]
        scale = int(round((last.shape[0] / channels) ** 0.5))
        return SRVGGNetCompact(scale=scale, feat=first.shape[0], convs=len(convs) - 2, channels=channels)
    raise ValueError("not a Real-ESRGAN state dict: expected RRDBNet keys (conv_first, body.N.rdbK...) or "
                     "SRVGGNetCompact keys (body.0 ... body.N)")
