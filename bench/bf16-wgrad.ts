/**
 * Issue 25's open factor: the bf16 weight gradient. TensorFlow's bfloat16 Conv2DBackpropFilter
 * ran at 1.07-1.2x its float32 rate here while the forward and input-gradient kernels ran at about
 * 3x (bench/README.md). This bench times ways to compute one convolution's weight gradient dW
 * from its input x and output gradient dy, per layer of the ConvNet and ResNet-18 at the bench's
 * batch, on raw TensorFlow handles (as src/backend/bf16.ts runs them), each against the others in
 * the same round:
 *
 * - `fp32`: Conv2DBackpropFilter in float32 (what the fp32 step runs);
 * - `bf16`: Cast to bfloat16, Conv2DBackpropFilter in bfloat16, Cast back (what bf16 runs now);
 * - `bf16-patches`: Cast, ExtractImagePatches (x's 3x3 patches, depth ordered kh, kw, cin like the
 *   filter), MatMul(patches^T, dy) in bfloat16, Cast back: the weight gradient as one matrix
 *   product, which oneDNN runs on AMX;
 * - `fp32-in-bf16-step`: what the bf16 step would pay for computing dW in float32 (no casts).
 *
 * Each variant's dW is compared with fp32's (max relative error over the tensor's max) so a fast
 * variant that computes something else is seen. Usage: `node --import tsx bench/bf16-wgrad.ts
 * [--model convnet|resnet18] [--batch 512] [--rounds 5]`.
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/backend";
import {
  castOp,
  convAttrs,
  execOp,
  nativeBackend,
  TF_BFLOAT16,
  TF_FLOAT,
  TF_INT32,
  type NativeBackend,
  type OpAttr,
  type TensorMeta,
} from "../src/backend/native-ops";

/** One convolution: input side, channels in and out, stride. */
interface Layer {
  side: number;
  cin: number;
  cout: number;
  stride: number;
}

/** The ConvNet's convolutions at 32 x 32 (src/models/convnet.ts). */
const CONVNET: Layer[] = [
  { side: 32, cin: 3, cout: 32, stride: 1 },
  { side: 32, cin: 32, cout: 64, stride: 2 },
  { side: 16, cin: 64, cout: 64, stride: 1 },
  { side: 16, cin: 64, cout: 128, stride: 2 },
  { side: 8, cin: 128, cout: 128, stride: 1 },
  { side: 8, cin: 128, cout: 256, stride: 2 },
];

/** ResNet-18's 3x3 convolutions at 32 x 32 (CIFAR stem), one of each distinct shape. */
const RESNET18: Layer[] = [
  { side: 32, cin: 3, cout: 64, stride: 1 },
  { side: 32, cin: 64, cout: 64, stride: 1 },
  { side: 32, cin: 64, cout: 128, stride: 2 },
  { side: 16, cin: 128, cout: 128, stride: 1 },
  { side: 16, cin: 128, cout: 256, stride: 2 },
  { side: 8, cin: 256, cout: 256, stride: 1 },
  { side: 8, cin: 256, cout: 512, stride: 2 },
  { side: 4, cin: 512, cout: 512, stride: 1 },
];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

function main(be: NativeBackend): void {
  const model = arg("model", "convnet");
  const batch = Number(arg("batch", "512"));
  const rounds = Number(arg("rounds", "5"));
  const layers = model === "resnet18" ? RESNET18 : CONVNET;
  const b = be.binding;
  const ex = (op: string, attrs: OpAttr[], ids: number[]): TensorMeta => execOp(be, op, attrs, ids);
  const cast = (id: number, from: number, to: number): TensorMeta => castOp(be, id, from, to);
  const conv = (dtype: number, stride: number): OpAttr[] => convAttrs(b, stride, dtype);
  const id = (t: tf.Tensor): number => be.getInputTensorIds([t])[0];

  type Variant = (x: tf.Tensor4D, dy: tf.Tensor4D, l: Layer) => tf.Tensor;
  const variants: Record<string, Variant> = {
    fp32: (x, dy, l) => {
      const ws = tf.tensor1d([3, 3, l.cin, l.cout], "int32");
      const out = be.createOutputTensor(
        ex("Conv2DBackpropFilter", conv(TF_FLOAT, l.stride), [id(x), id(ws), id(dy)]),
      );
      ws.dispose();
      return out;
    },
    bf16: (x, dy, l) => {
      const ws = tf.tensor1d([3, 3, l.cin, l.cout], "int32");
      const xb = cast(id(x), TF_FLOAT, TF_BFLOAT16);
      const db = cast(id(dy), TF_FLOAT, TF_BFLOAT16);
      const w = ex("Conv2DBackpropFilter", conv(TF_BFLOAT16, l.stride), [xb.id, id(ws), db.id]);
      const out = be.createOutputTensor(cast(w.id, TF_BFLOAT16, TF_FLOAT));
      for (const t of [xb, db, w]) b.deleteTensor(t.id);
      ws.dispose();
      return out;
    },
    "bf16-patches": (x, dy, l) => {
      const xb = cast(id(x), TF_FLOAT, TF_BFLOAT16);
      const db = cast(id(dy), TF_FLOAT, TF_BFLOAT16);
      const p = ex(
        "ExtractImagePatches",
        [
          { name: "T", type: b.TF_ATTR_TYPE, value: TF_BFLOAT16 },
          { name: "ksizes", type: b.TF_ATTR_INT, value: [1, 3, 3, 1] },
          { name: "strides", type: b.TF_ATTR_INT, value: [1, l.stride, l.stride, 1] },
          { name: "rates", type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
          { name: "padding", type: b.TF_ATTR_STRING, value: "SAME" },
        ],
        [xb.id],
      );
      const rows = p.shape[0] * p.shape[1] * p.shape[2];
      const pShape = tf.tensor1d([rows, 9 * l.cin], "int32");
      const dShape = tf.tensor1d([rows, l.cout], "int32");
      const reshape = (m: TensorMeta, s: tf.Tensor): TensorMeta =>
        ex(
          "Reshape",
          [
            { name: "T", type: b.TF_ATTR_TYPE, value: TF_BFLOAT16 },
            { name: "Tshape", type: b.TF_ATTR_TYPE, value: TF_INT32 },
          ],
          [m.id, id(s)],
        );
      const p2 = reshape(p, pShape);
      const d2 = reshape(db, dShape);
      const mm = ex(
        "MatMul",
        [
          { name: "T", type: b.TF_ATTR_TYPE, value: TF_BFLOAT16 },
          { name: "transpose_a", type: b.TF_ATTR_BOOL, value: true },
          { name: "transpose_b", type: b.TF_ATTR_BOOL, value: false },
        ],
        [p2.id, d2.id],
      );
      const out = be.createOutputTensor(cast(mm.id, TF_BFLOAT16, TF_FLOAT));
      for (const t of [xb, db, p, p2, d2, mm]) b.deleteTensor(t.id);
      tf.dispose([pShape, dShape]);
      const shaped = out.reshape([3, 3, l.cin, l.cout]);
      out.dispose();
      return shaped;
    },
  };

  const totals: Record<string, number> = Object.fromEntries(
    Object.keys(variants).map((k) => [k, 0]),
  );
  for (const l of layers) {
    const out = Math.ceil(l.side / l.stride);
    const x = tf.randomNormal([batch, l.side, l.side, l.cin]) as tf.Tensor4D;
    const dy = tf.randomNormal([batch, out, out, l.cout]) as tf.Tensor4D;
    const ref = variants.fp32(x, dy, l);
    const scale = ref.abs().max().dataSync()[0];
    const line: string[] = [];
    for (const [name, v] of Object.entries(variants)) {
      const got = v(x, dy, l); // warm-up, and the check
      const err = got.sub(ref).abs().max().dataSync()[0] / scale;
      got.dispose();
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t0 = process.hrtime.bigint();
        const o = v(x, dy, l);
        o.dataSync();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        o.dispose();
      }
      times.sort((a, c) => a - c);
      const med = times[Math.floor(times.length / 2)];
      totals[name] += med;
      line.push(`${name} ${med.toFixed(1)} ms (err ${err.toExponential(1)})`);
    }
    console.log(`${l.side}x${l.side} ${l.cin}->${l.cout} s${l.stride}: ${line.join(", ")}`);
    tf.dispose([x, dy, ref]);
  }
  console.log(
    `total ${model} batch ${batch}: ` +
      Object.entries(totals)
        .map(([k, v]) => `${k} ${v.toFixed(1)} ms (${(totals.fp32 / v).toFixed(2)}x fp32)`)
        .join(", "),
  );
}

void useBackend("tensorflow", { threads: 2 }).then(() => {
  const be = nativeBackend();
  if (!be) throw new Error("bench/bf16-wgrad.ts needs tfjs-node's native TensorFlow backend");
  main(be);
});
