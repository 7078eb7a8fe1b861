"""torchvision's SimCLR augmentation pipeline, timed for comparison with bench/augment.ts.

The pipeline of SimCLR appendix A in torchvision terms (as in the paper's pseudo-code and in
common PyTorch reimplementations): RandomResizedCrop(scale 0.08-1), RandomHorizontalFlip,
RandomApply(ColorJitter(0.8s, 0.8s, 0.8s, 0.2s), p=0.8), RandomGrayscale(p=0.2), ToTensor, on PIL
images, one image at a time (what a DataLoader worker does). Two views per image.

Prints one JSON line: {"size", "images_per_s", "cpu_images_per_s" (per CPU-second of this process:
robust to other load on a shared machine), "views_per_s", "seconds", "images", "threads", "torchvision"}.
"""
import argparse
import json
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--strength", type=float, default=0.5)
    ap.add_argument("--images", type=int, default=512)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--blur", action="store_true")
    ap.add_argument("--raw", help="uint8 NHWC RGB images of --size (the same images bench/augment.ts times)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    s = args.strength
    ops = [
        T.RandomResizedCrop(args.size, scale=(0.08, 1.0)),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ]
    if args.blur:
        k = max(1, args.size // 10) | 1
        ops.append(T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5))
    ops.append(T.ToTensor())
    pipeline = T.Compose(ops)
    rng = np.random.default_rng(0)
    if args.raw:
        arr = np.fromfile(args.raw, dtype=np.uint8).reshape(-1, args.size, args.size, 3)
        images = [Image.fromarray(a) for a in arr]
    else:
        images = [Image.fromarray(rng.integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)) for _ in range(args.images)]
    for im in images[:32]:
        pipeline(im)
    done = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while True:
        for im in images:
            pipeline(im)
            pipeline(im)
            done += 1
            if done % 64 == 0 and time.perf_counter() - t0 >= args.seconds:
                break
        else:
            continue
        break
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "size": args.size,
        "images_per_s": done / dt,
        "cpu_images_per_s": done / cpu,
        "views_per_s": 2 * done / dt,
        "seconds": dt,
        "images": done,
        "threads": args.threads,
        "torchvision": torchvision.__version__,
    }))


if __name__ == "__main__":
    main()
