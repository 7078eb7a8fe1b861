"""PyTorch's side of bench/bf16-wgrad.ts (issue 25): one convolution's weight gradient, fp32 and
bfloat16, channels_last, per layer of the ConvNet or ResNet-18 at 32 x 32, 2 threads. The layer
lists are those of bench/bf16-wgrad.ts. Usage: python bench/torch_wgrad.py [convnet|resnet18]
[batch] [rounds]; prints the median ms per layer and the totals."""
import sys
import time

import torch

CONVNET = [(32, 3, 32, 1), (32, 32, 64, 2), (16, 64, 64, 1), (16, 64, 128, 2), (8, 128, 128, 1), (8, 128, 256, 2)]
RESNET18 = [(32, 3, 64, 1), (32, 64, 64, 1), (32, 64, 128, 2), (16, 128, 128, 1), (16, 128, 256, 2),
            (8, 256, 256, 1), (8, 256, 512, 2), (4, 512, 512, 1)]


def weight_grad(dy, x, w, stride):
    return torch.ops.aten.convolution_backward(
        dy, x, w, None, [stride, stride], [1, 1], [1, 1], False, [0, 0], 1, [False, False, True])[2]


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "convnet"
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 512
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(2)
    totals = {"fp32": 0.0, "bf16": 0.0}
    for side, cin, cout, s in RESNET18 if model == "resnet18" else CONVNET:
        out = (side + s - 1) // s
        cl = torch.channels_last
        x = torch.randn(batch, cin, side, side).to(memory_format=cl)
        w = torch.randn(cout, cin, 3, 3).to(memory_format=cl)
        dy = torch.randn(batch, cout, out, out).to(memory_format=cl)
        line = []
        for name, dt in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
            xx, dd, ww = x.to(dt), dy.to(dt), w.to(dt)
            weight_grad(dd, xx, ww, s)
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                weight_grad(dd, xx, ww, s)
                times.append((time.perf_counter() - t0) * 1e3)
            med = sorted(times)[len(times) // 2]
            totals[name] += med
            line.append(f"{name} {med:.1f} ms")
        print(f"{side}x{side} {cin}->{cout} s{s}: " + ", ".join(line))
    print(f"total {model} batch {batch}: fp32 {totals['fp32']:.1f} ms, bf16 {totals['bf16']:.1f} ms "
          f"({totals['fp32'] / totals['bf16']:.2f}x fp32)")


if __name__ == "__main__":
    main()
