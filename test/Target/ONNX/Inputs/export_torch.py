#!/usr/bin/env python3
"""Exports a PyTorch network to ONNX with its reference output.

Usage: export_torch.py NAME OUTDIR [--dynamic-batch]
NAME: resnet18 | mobilenet_v2 | shufflenet_v2 | repvgg | transformer |
      mobilenet_v3_small | vit | swin | convnext | rmsnorm_mlp | unet_tiny |
      interpolate | lraspp | deeplabv3 | conv_transpose | dcgan |
      espcn | yolo_tiny | norms | gpt_block | upsample_head
Writes OUTDIR/NAME.onnx, OUTDIR/NAME.input.npy and OUTDIR/NAME.expected.npy:
torchvision's architecture with seeded random weights (and randomized
batch-norm statistics, so BN is not an identity), run by PyTorch itself.
--dynamic-batch exports the batch as a symbolic dimension, with 2 images.
"""

import os
import sys

import numpy as np
import torch
import torchvision


def randomize_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=generator) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=generator) * 0.1)


class EncoderBlock(torch.nn.Module):
    """A pre-norm transformer encoder block: multi-head self-attention and a
    GELU MLP, each with a residual (written out: PyTorch's fused encoder
    layer has no ONNX export)."""

    def __init__(self, d_model=64, heads=4, hidden=128):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(d_model)
        self.qkv = torch.nn.Linear(d_model, 3 * d_model)
        self.proj = torch.nn.Linear(d_model, d_model)
        self.norm2 = torch.nn.LayerNorm(d_model)
        self.fc1 = torch.nn.Linear(d_model, hidden)
        self.fc2 = torch.nn.Linear(hidden, d_model)
        for norm in (self.norm1, self.norm2):
            torch.nn.init.uniform_(norm.weight, 0.5, 1.5)
            torch.nn.init.uniform_(norm.bias, -0.1, 0.1)

    def forward(self, x):
        b, t, d = x.shape
        h = self.norm1(x)
        q, k, v = self.qkv(h).reshape(b, t, 3, self.heads, d // self.heads) \
            .permute(2, 0, 3, 1, 4).unbind(0)
        scores = q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5
        attn = scores.softmax(dim=-1) @ v
        x = x + self.proj(attn.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


class CausalBlock(torch.nn.Module):
    """A GPT-2 block (nanoGPT's): causal self-attention masked by
    masked_fill(tril == 0, -inf) (a Where with a constant condition), a
    tanh-GELU MLP (written out below opset 20), pre-norm residuals."""

    def __init__(self, d_model=64, heads=4, tokens=16):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(d_model)
        self.attn = torch.nn.Linear(d_model, 3 * d_model)
        self.proj = torch.nn.Linear(d_model, d_model)
        self.ln2 = torch.nn.LayerNorm(d_model)
        self.fc = torch.nn.Linear(d_model, 4 * d_model)
        self.out = torch.nn.Linear(4 * d_model, d_model)
        self.register_buffer(
            "causal", torch.tril(torch.ones(tokens, tokens)).view(
                1, 1, tokens, tokens))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.attn(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        att = q @ k.transpose(-2, -1) / (c // self.heads) ** 0.5
        att = att.masked_fill(self.causal[:, :, :t, :t] == 0, float("-inf"))
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.out(torch.nn.functional.gelu(
            self.fc(self.ln2(x)), approximate="tanh"))


class RMSNormMLP(torch.nn.Module):
    """A LLaMA-style feed-forward block: RMSNorm written out (x / sqrt(mean
    of squares + eps), scaled), a SiLU-gated MLP, a residual."""

    def __init__(self, d_model=64, hidden=96):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.rand(d_model) + 0.5)
        self.up = torch.nn.Linear(d_model, 2 * hidden, bias=False)
        self.down = torch.nn.Linear(hidden, d_model, bias=False)

    def forward(self, x):
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        gate, up = self.up(h * self.weight).chunk(2, dim=-1)
        return x + self.down(torch.nn.functional.silu(gate) * up)


class TinyUNet(torch.nn.Module):
    """An encoder-decoder with a skip connection: nearest-neighbour 2x
    upsampling (nn.Upsample, exported as Resize), concat, LeakyReLU."""

    def __init__(self):
        super().__init__()
        self.down = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.mid = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.out = torch.nn.Conv2d(24, 4, 3, padding=1)

    def forward(self, x):
        skip = torch.nn.functional.leaky_relu(self.down(x), 0.1)
        deep = torch.relu(self.mid(torch.nn.functional.max_pool2d(skip, 2)))
        return self.out(torch.cat([self.up(deep), skip], dim=1))


class Interpolations(torch.nn.Module):
    """F.interpolate in the modes PyTorch exports as Resize, each result
    flattened, all concatenated: nearest by 2 (scales) and to 10 x 12
    (sizes, factors that are not whole), bilinear and bicubic with and
    without align_corners, a bilinear 0.5x downsample (scales), a bicubic
    3x; on rank 3 (N x C x L) nearest and linear; on rank 5 trilinear with
    the depth kept."""

    def forward(self, x):
        f = torch.nn.functional
        outs = [
            f.interpolate(x, scale_factor=2, mode="nearest"),
            f.interpolate(x, size=(10, 12), mode="nearest"),
            f.interpolate(x, size=(16, 20), mode="bilinear",
                          align_corners=False),
            f.interpolate(x, size=(16, 20), mode="bilinear",
                          align_corners=True),
            f.interpolate(x, scale_factor=0.5, mode="bilinear",
                          align_corners=False),
            f.interpolate(x, size=(13, 17), mode="bicubic",
                          align_corners=False),
            f.interpolate(x, scale_factor=3, mode="bicubic",
                          align_corners=True),
            f.interpolate(x.flatten(2), scale_factor=2, mode="nearest"),
            f.interpolate(x.flatten(2), size=100, mode="linear",
                          align_corners=False),
            f.interpolate(torch.stack([x, -x], 2),
                          size=(2, 11, 5), mode="trilinear",
                          align_corners=False),
        ]
        return torch.cat([o.flatten(1) for o in outs], 1)


class TransposedConvs(torch.nn.Module):
    """ConvTranspose2d as models use it, on one input, each result
    flattened, all concatenated: U-Net's 2x2 stride 2, 3x3 stride 2 with
    output_padding, DCGAN's 4x4 stride 2 (no bias), 3x3 stride 1,
    rectangular kernels and strides, 5x5 stride 3 with output_padding 2,
    grouped (2 groups) and depthwise (FCN's bilinear-initialized
    upsampling: groups = channels)."""

    def __init__(self):
        super().__init__()
        conv = torch.nn.ConvTranspose2d
        self.convs = torch.nn.ModuleList([
            conv(4, 3, 2, stride=2),
            conv(4, 3, 3, stride=2, padding=1, output_padding=1),
            conv(4, 3, 4, stride=2, padding=1, bias=False),
            conv(4, 3, 3, stride=1, padding=1),
            conv(4, 3, (3, 5), stride=(2, 3), padding=(0, 2)),
            conv(4, 3, 5, stride=3, padding=2, output_padding=2),
            conv(4, 6, 4, stride=2, padding=1, groups=2),
            conv(4, 4, 4, stride=2, padding=1, groups=4, bias=False),
        ])

    def forward(self, x):
        return torch.cat([c(x).flatten(1) for c in self.convs], 1)


class DCGANGenerator(torch.nn.Module):
    """DCGAN's generator at a small size: a latent vector to a 16 x 16
    image by transposed convolutions, batch norms, ReLU and tanh."""

    def __init__(self, latent=16, width=32):
        super().__init__()
        conv, bn = torch.nn.ConvTranspose2d, torch.nn.BatchNorm2d
        self.net = torch.nn.Sequential(
            conv(latent, width, 4, 1, 0, bias=False), bn(width),
            torch.nn.ReLU(),
            conv(width, width // 2, 4, 2, 1, bias=False), bn(width // 2),
            torch.nn.ReLU(),
            conv(width // 2, 3, 4, 2, 1, bias=False), torch.nn.Tanh())

    def forward(self, z):
        return self.net(z)


class ESPCN(torch.nn.Module):
    """ESPCN super-resolution (3x): convolutions to 3 * 9 channels, then
    PixelShuffle (exported as DepthToSpace, CRD)."""

    def __init__(self, scale=3):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 5, padding=2), torch.nn.Tanh(),
            torch.nn.Conv2d(32, 16, 3, padding=1), torch.nn.Tanh(),
            torch.nn.Conv2d(16, 3 * scale * scale, 3, padding=1),
            torch.nn.PixelShuffle(scale))

    def forward(self, x):
        return self.body(x)


class ConvBNSiLU(torch.nn.Sequential):
    def __init__(self, cin, cout, k=3, stride=1):
        super().__init__(
            torch.nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
            torch.nn.BatchNorm2d(cout), torch.nn.SiLU())


class TinyYOLO(torch.nn.Module):
    """A YOLOv5-style detector at a small size, without the box decoding:
    Conv-BN-SiLU stages, SPPF (three chained 5x5 max pools), an FPN neck
    (nearest 2x upsampling, concat) and 1x1 heads at strides 8 and 16,
    their outputs flattened and concatenated."""

    def __init__(self, outputs=3 * 8):
        super().__init__()
        self.stem = torch.nn.Sequential(ConvBNSiLU(3, 16, 3, 2),
                                        ConvBNSiLU(16, 32, 3, 2),
                                        ConvBNSiLU(32, 32, 3, 2))
        self.down = ConvBNSiLU(32, 64, 3, 2)
        self.sppf_in = ConvBNSiLU(64, 32, 1)
        self.pool = torch.nn.MaxPool2d(5, 1, 2)
        self.sppf_out = ConvBNSiLU(128, 64, 1)
        self.lateral = ConvBNSiLU(64, 32, 1)
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.merge = ConvBNSiLU(64, 32, 3)
        self.head8 = torch.nn.Conv2d(32, outputs, 1)
        self.head16 = torch.nn.Conv2d(64, outputs, 1)

    def forward(self, x):
        p8 = self.stem(x)
        p16 = self.down(p8)
        a = self.sppf_in(p16)
        b = self.pool(a)
        c = self.pool(b)
        p16 = self.sppf_out(torch.cat([a, b, c, self.pool(c)], 1))
        p8 = self.merge(torch.cat([self.up(self.lateral(p16)), p8], 1))
        return torch.cat([self.head8(p8).flatten(1),
                          self.head16(p16).flatten(1)], 1)


class GroupAndInstanceNorms(torch.nn.Module):
    """A diffusion-U-Net-style residual block (GroupNorm, SiLU, conv) and a
    style-transfer block (InstanceNorm2d with and without affine)."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.norm1 = torch.nn.GroupNorm(4, 16)
        self.conv1 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.norm2 = torch.nn.GroupNorm(8, 16, eps=1e-6)
        self.conv2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.inorm = torch.nn.InstanceNorm2d(16, affine=True)
        self.inorm_plain = torch.nn.InstanceNorm2d(16)
        for norm in (self.norm1, self.norm2, self.inorm):
            torch.nn.init.uniform_(norm.weight, 0.5, 1.5)
            torch.nn.init.uniform_(norm.bias, -0.5, 0.5)

    def forward(self, x):
        h = self.stem(x)
        r = self.conv1(torch.nn.functional.silu(self.norm1(h)))
        h = h + self.conv2(torch.nn.functional.silu(self.norm2(r)))
        return torch.relu(self.inorm_plain(self.inorm(h)))


class UpsampleHead(torch.nn.Module):
    """FCN's last step alone: 21 class maps of 28 x 28 resized bilinearly
    to 224 x 224 (bench/executor_vs_torch.py times it)."""

    def forward(self, x):
        return torch.nn.functional.interpolate(
            x, size=(224, 224), mode="bilinear", align_corners=False)


class SegmentationOutput(torch.nn.Module):
    """torchvision's segmentation models return a dict; this returns its
    "out" entry."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


class RepVGGBlock(torch.nn.Module):
    """RepVGG's training-time block: 3x3 conv+BN, 1x1 conv+BN and (when
    shapes allow) an identity BN, summed, then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()

        def conv_bn(k, pad):
            return torch.nn.Sequential(
                torch.nn.Conv2d(cin, cout, k, stride, pad, bias=False),
                torch.nn.BatchNorm2d(cout))

        self.dense = conv_bn(3, 1)
        self.one = conv_bn(1, 0)
        self.identity = (torch.nn.BatchNorm2d(cin)
                         if cin == cout and stride == 1 else None)

    def forward(self, x):
        out = self.dense(x) + self.one(x)
        if self.identity is not None:
            out = out + self.identity(x)
        return torch.relu(out)


class RepVGG(torch.nn.Module):
    def __init__(self):
        super().__init__()
        widths = [(3, 16, 2), (16, 16, 1), (16, 32, 2), (32, 32, 1), (32, 32, 1)]
        self.blocks = torch.nn.Sequential(*[RepVGGBlock(*w) for w in widths])
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.blocks(x).mean([2, 3]))


def build(name):
    if name == "resnet18":
        return torchvision.models.resnet18(), (1, 3, 224, 224), 13
    if name == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(), (1, 3, 224, 224), 13
    if name == "shufflenet_v2":
        return torchvision.models.shufflenet_v2_x1_0(), (1, 3, 224, 224), 13
    if name == "repvgg":
        return RepVGG(), (1, 3, 64, 64), 13
    if name == "transformer":
        return EncoderBlock(), (1, 32, 64), 17
    if name == "unet_tiny":
        return TinyUNet(), (1, 3, 32, 32), 13
    if name == "rmsnorm_mlp":
        return RMSNormMLP(), (1, 16, 64), 14
    if name == "gpt_block":
        return CausalBlock(), (1, 16, 64), 14
    # Opset 13 / 14: PyTorch spells hard swish as x * HardSigmoid(x) and
    # layer norm as ReduceMean, Sub, Pow, Sqrt, Div, Mul, Add; the importer
    # puts them back together.
    if name == "mobilenet_v3_small":
        return torchvision.models.mobilenet_v3_small(), (1, 3, 224, 224), 13
    if name == "vit":
        # torchvision's ViT at a small size: class token (Expand, Concat),
        # torch.nn.MultiheadAttention, the class token's row (Gather).
        return torchvision.models.VisionTransformer(
            image_size=32, patch_size=8, num_layers=2, num_heads=4,
            hidden_dim=64, mlp_dim=128, num_classes=10), (1, 3, 32, 32), 14
    if name == "swin":
        # Swin at a small size: 16 x 16 tokens in 4 x 4 windows, shifted
        # windows' masks (computed by ScatterND in the graph), patch merging.
        return torchvision.models.SwinTransformer(
            patch_size=[2, 2], embed_dim=32, depths=[2, 2], num_heads=[2, 4],
            window_size=[4, 4], num_classes=10), (1, 3, 32, 32), 14
    if name == "convnext":
        # ConvNeXt's blocks: 7x7 depthwise conv, channels-last layer norm,
        # layer scale (0.5 instead of 1e-6, so that blocks matter).
        cfg = torchvision.models.convnext.CNBlockConfig
        return torchvision.models.convnext.ConvNeXt(
            [cfg(32, 64, 2), cfg(64, None, 2)], layer_scale=0.5,
            num_classes=10), (1, 3, 64, 64), 14
    if name == "interpolate":
        return Interpolations(), (1, 3, 7, 9), 13
    if name == "upsample_head":
        return UpsampleHead(), (1, 21, 28, 28), 13
    if name == "conv_transpose":
        return TransposedConvs(), (1, 4, 5, 6), 13
    if name == "dcgan":
        return DCGANGenerator(), (1, 16, 1, 1), 13
    if name == "espcn":
        return ESPCN(), (1, 3, 16, 16), 13
    if name == "yolo_tiny":
        return TinyYOLO(), (1, 3, 64, 64), 13
    if name == "norms":
        return GroupAndInstanceNorms(), (1, 3, 16, 16), 13
    # Segmentation at a small size: bilinear upsampling of the class maps
    # to the input size (Resize, linear, half_pixel).
    seg = torchvision.models.segmentation
    if name == "lraspp":
        return SegmentationOutput(seg.lraspp_mobilenet_v3_large(
            weights=None, weights_backbone=None, num_classes=5)), \
            (1, 3, 64, 64), 13
    if name == "deeplabv3":
        # The ASPP's pooled branch is resized from 1 x 1.
        return SegmentationOutput(seg.deeplabv3_mobilenet_v3_large(
            weights=None, weights_backbone=None, num_classes=5,
            aux_loss=False)), (1, 3, 64, 64), 13
    raise SystemExit(f"unknown model {name}")


def randomize_zeros(model, generator):
    """Parameters initialized to zero (ViT's classifier) get small random
    values, so that the output depends on the network."""
    for p in model.parameters():
        if not p.detach().abs().max() > 0:
            p.data.copy_(torch.randn(p.shape, generator=generator) * 0.02)


def make(name):
    """The seeded model in eval mode, its input and its opset (other
    scripts rebuild the exported model with it)."""
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model, shape, opset = build(name)
    randomize_batchnorm(model, generator)
    if name == "vit":
        randomize_zeros(model, generator)
    model.eval()
    return model, torch.randn(*shape, generator=generator), opset


def main():
    name, out = sys.argv[1], sys.argv[2]
    dynamic = sys.argv[3:] == ["--dynamic-batch"]
    os.makedirs(out, exist_ok=True)
    model, x, opset = make(name)
    axes = None
    if dynamic:
        # Two images, the batch a symbolic dimension of the ONNX graph.
        x = torch.cat([x, -x])
        axes = {"input": {0: "N"}, "output": {0: "N"}}
    with torch.no_grad():
        expected = model(x)
    # Exported with gradients on: without, torch.nn.MultiheadAttention
    # takes its fused inference path, which has no ONNX export.
    torch.onnx.export(model, x, os.path.join(out, f"{name}.onnx"),
                      opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes,
                      do_constant_folding=True,
                      # Keep BatchNormalization nodes (eval-mode export
                      # would fold them into the convs).
                      training=torch.onnx.TrainingMode.PRESERVE)
    np.save(os.path.join(out, f"{name}.input.npy"), x.numpy())
    np.save(os.path.join(out, f"{name}.expected.npy"), expected.numpy())


if __name__ == "__main__":
    main()
