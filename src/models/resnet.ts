/**
 * ResNet-18/34 (basic blocks) and ResNet-50 (bottleneck blocks, stride on the 3x3 conv) of He et
 * al. 2016, the encoder family of SimCLR (section 2.1 / B.9), with a width multiplier (Figure 7)
 * and two stems: "cifar" (3x3 stride-1 conv, no max-pool; SimCLR appendix B.9) and "imagenet"
 * (7x7 stride-2 conv + 3x3 stride-2 max-pool). Projection shortcuts (1x1 conv + BN) where the shape
 * changes; the last BN of each block starts with gamma = 0 (google-research/simclr tf2 resnet.py
 * init_zero). Output: global-average-pooled h.
 */
import * as tf from "@tensorflow/tfjs";
import {
  applyConvBn,
  conv2dFp32,
  convBn,
  convFlops,
  outSize,
  type Conv2dFn,
  type ConvBn,
} from "./conv";
import type { ParamStore } from "./params";

/** Block type and blocks per stage of each depth. */
export const RESNET_DEPTHS = Object.freeze({
  resnet18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  resnet34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  resnet50: { bottleneck: true, blocks: [3, 4, 6, 3] },
});

interface Block {
  convs: ConvBn[];
  shortcut: ConvBn | null;
}

/** A built ResNet body: forward function, FLOP counter and feature width. */
export interface ResNetBody {
  featureDim: number;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  forwardFlops(h: number, w: number): number;
}

/**
 * Builds the ResNet variables into store and returns its forward function; `conv` computes every
 * convolution (float32 by default).
 */
export function buildResNet(
  store: ParamStore,
  depth: keyof typeof RESNET_DEPTHS,
  stem: "cifar" | "imagenet",
  widthMultiplier: number,
  conv: Conv2dFn = conv2dFp32,
): ResNetBody {
  const { bottleneck, blocks } = RESNET_DEPTHS[depth];
  const layer = (
    name: string,
    k: number,
    cin: number,
    cout: number,
    stride: number,
    zeroInitGamma = false,
  ): ConvBn => convBn(store, name, k, cin, cout, stride, { zeroInitGamma, conv });
  const expansion = bottleneck ? 4 : 1;
  const w = (c: number): number => Math.max(1, Math.round(c * widthMultiplier));
  const stemConv = stem === "cifar" ? layer("stem", 3, 3, w(64), 1) : layer("stem", 7, 3, w(64), 2);
  const stages: Block[][] = [];
  let cin = w(64);
  blocks.forEach((n, s) => {
    const width = w(64 * 2 ** s);
    const stage: Block[] = [];
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const name = `layer${s + 1}.${b}`;
      const cout = width * expansion;
      const convs = bottleneck
        ? [
            layer(`${name}/1`, 1, cin, width, 1),
            layer(`${name}/2`, 3, width, width, stride),
            layer(`${name}/3`, 1, width, cout, 1, true),
          ]
        : [layer(`${name}/1`, 3, cin, width, stride), layer(`${name}/2`, 3, width, cout, 1, true)];
      const shortcut =
        stride !== 1 || cin !== cout ? layer(`${name}/shortcut`, 1, cin, cout, stride) : null;
      stage.push({ convs, shortcut });
      cin = cout;
    }
    stages.push(stage);
  });

  const apply = (x: tf.Tensor4D, training: boolean): tf.Tensor2D =>
    tf.tidy(() => {
      let y = applyConvBn(stemConv, x, training, true);
      if (stem === "imagenet") y = tf.maxPool(y, 3, 2, "same");
      for (const stage of stages) {
        for (const block of stage) {
          const identity = block.shortcut ? applyConvBn(block.shortcut, y, training, false) : y;
          let z = y;
          const last = block.convs.length - 1;
          block.convs.forEach((c, i) => {
            z =
              i === last
                ? applyConvBn(c, z, training, true, identity)
                : applyConvBn(c, z, training, true);
          });
          y = z;
        }
      }
      return tf.mean(y, [1, 2]) as tf.Tensor2D; // h: [N, featureDim]
    });

  const forwardFlops = (h: number, wd: number): number => {
    let [f, hh, ww] = convFlops(stemConv, h, wd);
    if (stem === "imagenet") [hh, ww] = [outSize(hh, 2), outSize(ww, 2)];
    for (const stage of stages) {
      for (const block of stage) {
        if (block.shortcut) f += convFlops(block.shortcut, hh, ww)[0];
        for (const c of block.convs) {
          const [cf, h2, w2] = convFlops(c, hh, ww);
          f += cf;
          [hh, ww] = [h2, w2];
        }
      }
    }
    return f;
  };
  return { featureDim: cin, apply, forwardFlops };
}
