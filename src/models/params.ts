/**
 * Named model variables with their role (kernel, bias, batch-norm scale/offset/moving statistics)
 * and seeded initialisation. Stable names (`conv1/kernel`, `layer2.0/bn1/gamma`) are what
 * checkpoints and optimiser state are keyed by; tfjs's own variable names are left unique
 * (auto-assigned), so several models can live in one notebook process.
 */
import * as tf from "@tensorflow/tfjs";
import { createRng, type Rng } from "../util/random";
import type { BatchNormVars } from "./batchnorm";

/** What a variable is, which decides weight decay / LARS adaptation and trainability. */
export type ParamRole = "kernel" | "bias" | "gamma" | "beta" | "movingMean" | "movingVariance";

/** A model variable with its stable name and role. */
export interface NamedVariable {
  /** Stable name within the model, e.g. `encoder/layer1.0/conv1/kernel`. */
  readonly name: string;
  readonly role: ParamRole;
  readonly variable: tf.Variable;
  /** False for batch-norm moving statistics. */
  readonly trainable: boolean;
}

/**
 * True for parameters that LARS and weight decay leave alone: batch-norm scale/offset and biases
 * (SimCLR appendix B.1 / google-research/simclr lars_optimizer.py exclude_from_weight_decay and
 * exclude_from_layer_adaptation = ['batch_normalization', 'bias']).
 */
export function isExcludedFromDecay(p: { role: ParamRole }): boolean {
  return p.role === "bias" || p.role === "gamma" || p.role === "beta";
}

/** Collects named variables while a model is built; initial values come from one seeded Rng. */
export class ParamStore {
  readonly params: NamedVariable[] = [];
  private readonly rng: Rng;

  constructor(
    private readonly prefix: string,
    seed: number,
  ) {
    this.rng = createRng(seed);
  }

  private add(name: string, role: ParamRole, shape: number[], values: Float32Array): tf.Variable {
    const trainable = role !== "movingMean" && role !== "movingVariance";
    const init = tf.tensor(values, shape, "float32");
    const v = tf.variable(init, trainable); // shares init's data
    init.dispose();
    this.params.push({ name: `${this.prefix}/${name}`, role, variable: v, trainable });
    return v;
  }

  private normal(size: number, std: number): Float32Array {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = this.rng.normal() * std;
    return a;
  }

  /**
   * A conv kernel [kh, kw, cin, cout], He-normal with fan-out (He et al. 2015; torchvision's
   * ResNet init), std = sqrt(2 / (kh*kw*cout)).
   */
  conv(name: string, kh: number, kw: number, cin: number, cout: number): tf.Variable {
    const std = Math.sqrt(2 / (kh * kw * cout));
    return this.add(
      `${name}/kernel`,
      "kernel",
      [kh, kw, cin, cout],
      this.normal(kh * kw * cin * cout, std),
    );
  }

  /** A dense kernel [cin, cout], normal with the given std (simclr tf2 LinearLayer uses 0.01). */
  dense(name: string, cin: number, cout: number, std: number): tf.Variable {
    return this.add(`${name}/kernel`, "kernel", [cin, cout], this.normal(cin * cout, std));
  }

  /** A zero-initialised bias [c]. */
  bias(name: string, c: number): tf.Variable {
    return this.add(`${name}/bias`, "bias", [c], new Float32Array(c));
  }

  /** Batch-norm variables over c channels; gamma starts at 0 when zeroInit (last BN of a block). */
  batchNorm(
    name: string,
    c: number,
    opts: { scale?: boolean; center?: boolean; zeroInit?: boolean } = {},
  ): BatchNormVars {
    const scale = opts.scale ?? true;
    const center = opts.center ?? true;
    return {
      gamma: scale
        ? this.add(`${name}/gamma`, "gamma", [c], new Float32Array(c).fill(opts.zeroInit ? 0 : 1))
        : null,
      beta: center ? this.add(`${name}/beta`, "beta", [c], new Float32Array(c)) : null,
      movingMean: this.add(`${name}/movingMean`, "movingMean", [c], new Float32Array(c)),
      movingVariance: this.add(
        `${name}/movingVariance`,
        "movingVariance",
        [c],
        new Float32Array(c).fill(1),
      ),
    };
  }
}

/** Number of trainable scalars in a list of named variables. */
export function countParams(params: readonly NamedVariable[]): number {
  let n = 0;
  for (const p of params) if (p.trainable) n += p.variable.size;
  return n;
}
