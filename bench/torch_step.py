"""PyTorch side of `npm run bench`: one SimCLR training step of the same models in PyTorch.

Mirrors src/models (ConvNet: six 3x3 conv-BN-ReLU layers 32-64-64-128-128-256 with stride-2 convs
at layers 2, 4, 6; ResNet-18 with the CIFAR stem: 3x3 stride-1 stem, no max-pool, basic blocks,
1x1 conv-BN projection shortcuts), the 2-layer non-linear projection head with batch norm
(hidden = feature width, output 128; SimCLR section 2.1 / B.9), NT-Xent with l2-normalised
projections at temperature 0.5, and one LARS step (momentum 0.9, trust coefficient 0.001, weight
decay 1e-6, BN and bias parameters excluded; google-research/simclr lars_optimizer.py).
Batch norm sees the whole two-view batch, as in the TypeScript step. Convolutions have no bias.

With --layout channels_last the model and its input are in PyTorch's channels_last (NHWC) memory
format, the layout PyTorch's oneDNN convolutions are fastest in on CPUs (issue 16: the tuned
baseline); the default is PyTorch's default, NCHW.

Usage: python bench/torch_step.py --model convnet|resnet18 --batch 256 --threads 2
       [--layout nchw|channels_last] [--steps 3] [--max-seconds 60] [--serve]
Prints one JSON object: {"model", "layout", "views_per_s", "step_s", "steps", "threads", "torch"}.
With --serve: warms up, prints {"ready": true, ...}, then runs one step per "step" line read on
stdin and prints {"step_s": ...} for each (the harness interleaves these with its own steps so both
see the same load on a shared machine); any other line ends it.
"""

import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1),
    )


class ConvNet(nn.Module):
    LAYERS = [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (256, 2)]

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for cout, s in self.LAYERS:
            layers += [conv_bn(cin, cout, 3, s), nn.ReLU(inplace=True)]
            cin = cout
        self.body = nn.Sequential(*layers)
        self.feature_dim = cin

    def forward(self, x):
        return self.body(x).mean(dim=(2, 3))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride)
        self.c2 = conv_bn(cout, cout, 3, 1)
        nn.init.zeros_(self.c2[1].weight)  # last BN of the block starts at gamma = 0 (init_zero)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        identity = self.shortcut(x) if self.shortcut is not None else x
        return F.relu(self.c2(F.relu(self.c1(x))) + identity)


class ResNet18Cifar(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 64, 3, 1), nn.ReLU(inplace=True))
        blocks, cin = [], 64
        for s, width in enumerate([64, 128, 256, 512]):
            for b in range(2):
                stride = 2 if b == 0 and s > 0 else 1
                blocks.append(BasicBlock(cin, width, stride))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.feature_dim = cin

    def forward(self, x):
        return self.blocks(self.stem(x)).mean(dim=(2, 3))


class Head(nn.Module):
    """Non-linear projection head g: Linear-BN-ReLU, Linear-BN (no bias, no BN offset at the end)."""

    def __init__(self, d, out=128):
        super().__init__()
        self.l1, self.bn1 = nn.Linear(d, d, bias=False), nn.BatchNorm1d(d)
        self.l2, self.bn2 = nn.Linear(d, out, bias=False), nn.BatchNorm1d(out)

    def forward(self, h):
        return self.bn2(self.l2(F.relu(self.bn1(self.l1(h)))))


def nt_xent(z1, z2, temperature=0.5):
    z = F.normalize(torch.cat([z1, z2]), dim=1)  # [2N, D]
    n = z1.shape[0]
    logits = z @ z.t() / temperature  # [2N, 2N]
    logits.fill_diagonal_(-1e9)
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, labels)


class Lars:
    def __init__(self, params, momentum=0.9, eta=1e-3, weight_decay=1e-6):
        self.params = [(p, p.ndim <= 1) for p in params]  # 1-d: BN gamma/beta, biases: excluded
        self.v = [torch.zeros_like(p) for p in params]
        self.momentum, self.eta, self.wd = momentum, eta, weight_decay

    @torch.no_grad()
    def step(self, lr):
        for (p, excluded), v in zip(self.params, self.v):
            g = p.grad
            if not excluded:
                g = g.add(p, alpha=self.wd)
                w_norm, g_norm = p.norm(), g.norm()
                trust = torch.where(
                    (w_norm > 0) & (g_norm > 0), self.eta * w_norm / g_norm, torch.ones_like(w_norm)
                )
                g = g * trust
            v.mul_(self.momentum).add_(g, alpha=lr)
            p.sub_(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["convnet", "resnet18"], required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--layout", choices=["nchw", "channels_last"], default="nchw")
    ap.add_argument("--serve", action="store_true")
    # issue 25: CPU autocast to bfloat16 (convolutions and matmuls in bf16, weights fp32), the
    # PyTorch user's mixed-precision mode, as the reference for our bf16 step
    ap.add_argument("--autocast", choices=["none", "bf16"], default="none")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    encoder = ConvNet() if args.model == "convnet" else ResNet18Cifar()
    head = Head(encoder.feature_dim)
    fmt = torch.channels_last if args.layout == "channels_last" else torch.contiguous_format
    encoder = encoder.to(memory_format=fmt)
    params = list(encoder.parameters()) + list(head.parameters())
    opt = Lars(params)
    n = args.batch
    # torch.cat keeps the inputs' memory format, so the batch below is channels_last too
    v1 = torch.rand(n, 3, args.size, args.size).contiguous(memory_format=fmt)
    v2 = torch.rand(n, 3, args.size, args.size).contiguous(memory_format=fmt)

    def step():
        for p in params:
            p.grad = None
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast == "bf16"):
            z = head(encoder(torch.cat([v1, v2])))  # global BN over both views
        loss = nt_xent(z[:n].float(), z[n:].float())
        loss.backward()
        opt.step(0.3)
        return loss.item()

    step()  # warm-up: allocations, oneDNN primitive creation
    if args.serve:
        ready = {"ready": True, "layout": args.layout, "autocast": args.autocast, "threads": torch.get_num_threads(), "torch": torch.__version__}
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            if line.strip() != "step":
                break
            t = time.perf_counter()
            step()
            print(json.dumps({"step_s": time.perf_counter() - t}), flush=True)
        return
    times, start = [], time.perf_counter()
    while len(times) < args.steps and (not times or time.perf_counter() - start < args.max_seconds):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    step_s = sorted(times)[len(times) // 2]
    print(
        json.dumps(
            {
                "model": args.model,
                "layout": args.layout,
                "views_per_s": 2 * n / step_s,
                "step_s": step_s,
                "steps": len(times),
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
