/**
 * Optimisers for pre-training: LARS (You et al. 2017; SimCLR section 2.2 / appendix B.1), SGD with
 * momentum, SGD with Nesterov momentum, and Adam. Weight decay is L2 added to the gradient and,
 * like LARS's trust ratio, skips batch-norm scale/offset and biases (isExcludedFromDecay). LARS
 * follows google-research/simclr lars_optimizer.py with classic momentum:
 *   g' = g + wd x w;  r = eta ||w|| / ||g'|| (1 if either norm is 0; 1 for excluded params)
 *   v = m v + lr r g';  w = w - v.
 * SGD: v = m v + g'; w = w - lr v (Nesterov: w = w - lr (g' + m v)). Adam: Kingma & Ba 2015.
 * State (momenta, Adam moments and step) is exported and imported by stable parameter name.
 */
import * as tf from "@tensorflow/tfjs";
import { isExcludedFromDecay, type NamedVariable } from "../models/params";

/** Optimiser kinds. */
/** The optimisers (the config's optimizer.kind values). */
export const OPTIMIZER_KINDS = Object.freeze(["lars", "sgd", "nesterov", "adam"] as const);

/** An optimiser name. */
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** Optimiser choices. */
export interface OptimizerOptions {
  /** SimCLR pre-trains with LARS (section 2.2). */
  kind: OptimizerKind;
  /** L2 weight decay; SimCLR uses 1e-6 (section 2.2 / B.9). */
  weightDecay: number;
  /** Momentum of LARS / SGD / Nesterov; 0.9 (appendix B.1). */
  momentum: number;
  /** LARS trust coefficient eta; 0.001 (official lars_optimizer.py eeta). */
  trustCoefficient: number;
  /** Adam beta1 (Kingma & Ba 2015 default). */
  beta1: number;
  /** Adam beta2 (Kingma & Ba 2015 default). */
  beta2: number;
  /** Adam epsilon (Kingma & Ba 2015 default). */
  epsilon: number;
}

/** Defaults of {@link OptimizerOptions}: SimCLR's LARS. */
export const OPTIMIZER_DEFAULTS: Readonly<OptimizerOptions> = Object.freeze({
  kind: "lars",
  weightDecay: 1e-6,
  momentum: 0.9,
  trustCoefficient: 0.001,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
});

/** Optimiser state as plain arrays keyed by `<param name>/<slot>` (plus `step`). */
export type OptimizerState = Record<string, Float32Array>;

/** An optimiser bound to a fixed list of parameters. */
export interface Optimizer {
  readonly options: Readonly<OptimizerOptions>;
  /** Number of applyGradients calls so far (restored by setState). */
  readonly iterations: number;
  /**
   * One update with learning rate lr. grads: keyed by tf.Variable.name, as tf.variableGrads
   * returns them; parameters without a gradient are left unchanged. Does not dispose grads.
   */
  applyGradients(grads: tf.NamedTensorMap, lr: number): void;
  /** The slot variables with stable names (e.g. `encoder/stem/conv/kernel/momentum`). */
  readonly slots: readonly NamedVariable[];
  /** A copy of the state (slots and step). */
  getState(): OptimizerState;
  /** Restores a state from getState(); throws naming a missing or mis-sized entry. */
  setState(state: OptimizerState): void;
  /** Frees the slot variables. */
  dispose(): void;
}

/**
 * ||x||_2 as sqrt(sum(x * x)). tf.norm computes it as pow(|x|, 2) and its Pow kernel was the
 * slowest op of the LARS update (bench/profile.ts, issue 16); the two agree to float32 rounding.
 */
function l2Norm(x: tf.Tensor): tf.Scalar {
  return tf.sqrt(tf.sum(tf.square(x))) as tf.Scalar;
}

interface Slotted {
  p: NamedVariable;
  excluded: boolean;
  slots: tf.Variable[];
}

/**
 * Creates an optimiser over the trainable entries of params (non-trainable ones are ignored).
 * @param opts missing fields from {@link OPTIMIZER_DEFAULTS}.
 */
export function createOptimizer(
  opts: Partial<OptimizerOptions>,
  params: readonly NamedVariable[],
): Optimizer {
  const o: OptimizerOptions = { ...OPTIMIZER_DEFAULTS, ...opts };
  const slotNames = o.kind === "adam" ? ["m", "v"] : ["momentum"];
  if (!OPTIMIZER_KINDS.includes(o.kind)) {
    throw new Error(
      `unknown optimizer kind "${String(o.kind)}"; expected lars, sgd, nesterov or adam`,
    );
  }
  const entries: Slotted[] = params
    .filter((p) => p.trainable)
    .map((p) => ({
      p,
      excluded: isExcludedFromDecay(p),
      slots: slotNames.map(() => {
        const zeros = tf.zerosLike(p.variable);
        const v = tf.variable(zeros, false); // shares the zeros' data
        zeros.dispose();
        return v;
      }),
    }));
  const byVarName = new Map(entries.map((e) => [e.p.variable.name, e]));
  const slots: NamedVariable[] = entries.flatMap((e) =>
    e.slots.map((v, i) => ({
      name: `${e.p.name}/${slotNames[i]}`,
      role: e.p.role,
      variable: v,
      trainable: false,
    })),
  );
  let step = 0;

  const update = (e: Slotted, g: tf.Tensor, lr: number): void => {
    const w = e.p.variable;
    tf.tidy(() => {
      const grad = o.weightDecay > 0 && !e.excluded ? tf.add(g, tf.mul(w, o.weightDecay)) : g;
      if (o.kind === "adam") {
        const [m, v] = e.slots;
        const t = step + 1;
        const mNew = tf.add(tf.mul(m, o.beta1), tf.mul(grad, 1 - o.beta1));
        const vNew = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(grad), 1 - o.beta2));
        m.assign(mNew);
        v.assign(vNew);
        const alpha = (lr * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
        w.assign(tf.sub(w, tf.div(tf.mul(mNew, alpha), tf.add(tf.sqrt(vNew), o.epsilon))));
        return;
      }
      const [v] = e.slots;
      let scaledLr: tf.Scalar | number = lr;
      if (o.kind === "lars" && !e.excluded) {
        const wNorm = l2Norm(w);
        const gNorm = l2Norm(grad);
        const ratio = tf.where(
          tf.greater(wNorm, 0),
          tf.where(
            tf.greater(gNorm, 0),
            tf.div(tf.mul(wNorm, o.trustCoefficient), gNorm),
            tf.scalar(1),
          ),
          tf.scalar(1),
        );
        scaledLr = tf.mul(ratio, lr) as tf.Scalar;
      }
      if (o.kind === "lars") {
        // classic momentum: v = m v + lr r g;  w -= v
        const step_ = tf.mul(grad, scaledLr);
        const vNew = tf.add(tf.mul(v, o.momentum), step_);
        v.assign(vNew);
        w.assign(tf.sub(w, vNew));
      } else {
        // v = m v + g;  w -= lr v  (nesterov: w -= lr (g + m v))
        const vNew = tf.add(tf.mul(v, o.momentum), grad);
        v.assign(vNew);
        const dir = o.kind === "nesterov" ? tf.add(grad, tf.mul(vNew, o.momentum)) : vNew;
        w.assign(tf.sub(w, tf.mul(dir, lr)));
      }
    });
  };

  return {
    options: Object.freeze(o),
    get iterations() {
      return step;
    },
    slots,
    applyGradients(grads, lr) {
      for (const name of Object.keys(grads)) {
        const e = byVarName.get(name);
        if (e) update(e, grads[name], lr);
      }
      step++;
    },
    getState() {
      const s: OptimizerState = { step: new Float32Array([step]) };
      for (const sl of slots) s[sl.name] = Float32Array.from(sl.variable.dataSync());
      return s;
    },
    setState(state) {
      for (const sl of slots) {
        const a = state[sl.name];
        if (!a) throw new Error(`optimizer state has no entry "${sl.name}"`);
        if (a.length !== sl.variable.size) {
          throw new Error(
            `optimizer state "${sl.name}" has ${a.length} values, expected ${sl.variable.size}`,
          );
        }
        tf.tidy(() => sl.variable.assign(tf.tensor(a, sl.variable.shape, "float32")));
      }
      step = state.step ? state.step[0] : 0;
    },
    dispose() {
      slots.forEach((s) => s.variable.dispose());
    },
  };
}
