/**
 * TensorFlow ops run by name on tfjs-node's native binding, on raw tensor handles: what tfjs's own
 * kernels do inside tfjs-node, reachable here for dtypes tfjs has no type for (bfloat16, issue 25).
 * src/backend/bf16.ts builds its convolutions from these; bench/bf16-wgrad.ts times variants of
 * the weight gradient with them. A handle made here and not handed to {@link NativeBackend}'s
 * `createOutputTensor` must be deleted with `binding.deleteTensor`.
 */
import * as tf from "@tensorflow/tfjs";

/** TensorFlow's DataType enum values used here (tensorflow/c/tf_datatype.h). */
export const TF_FLOAT = 1;
export const TF_INT32 = 3;
export const TF_BFLOAT16 = 14;

/** What tfjs-node's binding returns for an op output: a handle id, its shape and dtype enum. */
export interface TensorMeta {
  id: number;
  shape: number[];
  dtype: number;
}

/** One op attribute as tfjs-node's binding takes it. */
export interface OpAttr {
  name: string;
  type: number;
  value: number | boolean | string | number[];
}

/** The part of tfjs-node's native binding used here. */
export interface NativeBinding {
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], outputs: number): TensorMeta[];
  deleteTensor(id: number): void;
  TF_ATTR_TYPE: number;
  TF_ATTR_INT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_STRING: number;
}

/** The part of tfjs-node's kernel backend used here. */
export interface NativeBackend {
  binding: NativeBinding;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(meta: TensorMeta): tf.Tensor;
}

/** The active backend when it is tfjs-node's native TensorFlow, else undefined. */
export function nativeBackend(): NativeBackend | undefined {
  const be: object = tf.backend();
  return "binding" in be && "createOutputTensor" in be && "getInputTensorIds" in be
    ? (be as NativeBackend)
    : undefined;
}

/** Runs one single-output op on raw handles. */
export function execOp(
  be: NativeBackend,
  name: string,
  attrs: OpAttr[],
  ids: number[],
): TensorMeta {
  return be.binding.executeOp(name, attrs, ids, 1)[0];
}

/** A Cast of one handle between two dtypes (e.g. {@link TF_FLOAT} and {@link TF_BFLOAT16}). */
export function castOp(be: NativeBackend, id: number, from: number, to: number): TensorMeta {
  const b = be.binding;
  const attrs: OpAttr[] = [
    { name: "SrcT", type: b.TF_ATTR_TYPE, value: from },
    { name: "DstT", type: b.TF_ATTR_TYPE, value: to },
    { name: "Truncate", type: b.TF_ATTR_BOOL, value: false },
  ];
  return execOp(be, "Cast", attrs, [id]);
}

/**
 * The attributes shared by Conv2D and its two gradient ops, NHWC, "SAME" padding, in `dtype`.
 * @param b the native binding (its attribute type enums).
 * @param stride the spatial stride, both axes.
 * @param dtype a TensorFlow DataType enum value, e.g. {@link TF_BFLOAT16}.
 */
export function convAttrs(b: NativeBinding, stride: number, dtype: number): OpAttr[] {
  return [
    { name: "T", type: b.TF_ATTR_TYPE, value: dtype },
    { name: "strides", type: b.TF_ATTR_INT, value: [1, stride, stride, 1] },
    { name: "use_cudnn_on_gpu", type: b.TF_ATTR_BOOL, value: true },
    { name: "padding", type: b.TF_ATTR_STRING, value: "SAME" },
    { name: "explicit_paddings", type: b.TF_ATTR_INT, value: [] },
    { name: "data_format", type: b.TF_ATTR_STRING, value: "NHWC" },
    { name: "dilations", type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
  ];
}
