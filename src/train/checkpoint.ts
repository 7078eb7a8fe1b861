/**
 * Training checkpoints: every named tensor of a run (model variables including batch-norm moving
 * statistics, optimiser slots) plus JSON metadata (step, config, history), written atomically to a
 * folder as `checkpoint.json` + `tensors.bin` (raw little-endian float32/int32, in manifest order);
 * the same two files, encoded in memory, carry a logged model's weights (src/train/logged-model.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

/** One stored tensor's location in tensors.bin. */
interface TensorEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  offset: number;
  length: number;
}

/** The checkpoint.json manifest. */
interface Manifest<M> {
  format: "simclr-checkpoint";
  version: 1;
  step: number;
  meta: M;
  tensors: TensorEntry[];
}

/** A loaded checkpoint: values by name (host memory) and metadata. */
export interface LoadedCheckpoint<M> {
  step: number;
  meta: M;
  tensors: Map<
    string,
    { shape: number[]; dtype: "float32" | "int32"; data: Float32Array | Int32Array }
  >;
}

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = Object.freeze({
  manifest: "checkpoint.json",
  tensors: "tensors.bin",
});

/** A checkpoint's two files in memory: the manifest (JSON text) and the tensors' bytes. */
export interface EncodedCheckpoint {
  manifest: string;
  tensors: Uint8Array;
}

/** Encodes tensors and metadata as the two files of a checkpoint (what saveCheckpoint writes). */
export function encodeCheckpoint<M>(
  step: number,
  tensors: Map<string, tf.Tensor>,
  meta: M,
): EncodedCheckpoint {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.dtype !== "float32" && t.dtype !== "int32") {
      throw new Error(
        `checkpoint: tensor ${name} has dtype ${t.dtype}; only float32 and int32 are stored`,
      );
    }
    const values = t.dataSync() as Float32Array | Int32Array;
    const bytes = new Uint8Array(
      values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
    );
    entries.push({ name, shape: [...t.shape], dtype: t.dtype, offset, length: values.length });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const manifest: Manifest<M> = {
    format: "simclr-checkpoint",
    version: 1,
    step,
    meta,
    tensors: entries,
  };
  return { manifest: JSON.stringify(manifest), tensors: Buffer.concat(chunks) };
}

/** Writes tensors and metadata to `dir` (created; replaced atomically if present). */
export function saveCheckpoint<M>(
  dir: string,
  step: number,
  tensors: Map<string, tf.Tensor>,
  meta: M,
): void {
  fs.mkdirSync(dir, { recursive: true });
  const encoded = encodeCheckpoint(step, tensors, meta);
  const tmpBin = path.join(dir, `${CHECKPOINT_FILES.tensors}.tmp`);
  const tmpJson = path.join(dir, `${CHECKPOINT_FILES.manifest}.tmp`);
  fs.writeFileSync(tmpBin, encoded.tensors);
  fs.writeFileSync(tmpJson, encoded.manifest);
  fs.renameSync(tmpBin, path.join(dir, CHECKPOINT_FILES.tensors));
  fs.renameSync(tmpJson, path.join(dir, CHECKPOINT_FILES.manifest));
}

/** True when `dir` holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return (
    fs.existsSync(path.join(dir, CHECKPOINT_FILES.manifest)) &&
    fs.existsSync(path.join(dir, CHECKPOINT_FILES.tensors))
  );
}

/** Reads a checkpoint written by saveCheckpoint. Errors name the folder and what is wrong. */
export function loadCheckpoint<M>(dir: string): LoadedCheckpoint<M> {
  const mf = path.join(dir, CHECKPOINT_FILES.manifest);
  let manifest: string;
  try {
    manifest = fs.readFileSync(mf, "utf8");
  } catch (e) {
    throw new Error(`cannot read checkpoint ${mf}: ${(e as Error).message}`);
  }
  const tensors = new Uint8Array(fs.readFileSync(path.join(dir, CHECKPOINT_FILES.tensors)));
  return decodeCheckpoint<M>({ manifest, tensors }, dir);
}

/**
 * Decodes a checkpoint's two files (read from a folder or downloaded); errors name `where` (the
 * folder or model) and what is wrong.
 */
export function decodeCheckpoint<M>(files: EncodedCheckpoint, where: string): LoadedCheckpoint<M> {
  const mf = `${where}/${CHECKPOINT_FILES.manifest}`;
  let manifest: Manifest<M>;
  try {
    manifest = JSON.parse(files.manifest) as Manifest<M>;
  } catch (e) {
    throw new Error(`cannot read checkpoint ${mf}: ${(e as Error).message}`);
  }
  if (manifest.format !== "simclr-checkpoint" || manifest.version !== 1) {
    throw new Error(
      `${mf}: not a simclr checkpoint (format ${String(manifest.format)}, version ${String(manifest.version)})`,
    );
  }
  const buf = files.tensors;
  const tensors: LoadedCheckpoint<M>["tensors"] = new Map();
  for (const e of manifest.tensors) {
    const bytes = buf.subarray(e.offset, e.offset + e.length * 4);
    if (bytes.byteLength !== e.length * 4)
      throw new Error(`${where}: ${CHECKPOINT_FILES.tensors} is truncated at ${e.name}`);
    const copy = new Uint8Array(bytes).buffer;
    tensors.set(e.name, {
      shape: e.shape,
      dtype: e.dtype,
      data: e.dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy),
    });
  }
  return { step: manifest.step, meta: manifest.meta, tensors };
}

/**
 * Assigns stored values to variables by name. Every variable must be present with the same shape;
 * throws naming the first missing or mismatched one.
 */
export function restoreVariables<M>(
  ckpt: LoadedCheckpoint<M>,
  variables: Map<string, tf.Variable>,
  dir = "checkpoint",
): void {
  for (const [name, v] of variables) {
    const e = ckpt.tensors.get(name);
    if (!e) throw new Error(`${dir}: no value for variable ${name}`);
    if (e.shape.join(",") !== v.shape.join(",")) {
      throw new Error(
        `${dir}: variable ${name} has shape [${e.shape}] in the checkpoint, [${v.shape}] in the model`,
      );
    }
    tf.tidy(() => v.assign(tf.tensor(e.data, e.shape, e.dtype)));
  }
}
