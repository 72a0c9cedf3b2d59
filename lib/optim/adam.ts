/**
 * Adam (Kingma & Ba, 2015, "Adam: A Method for Stochastic Optimization",
 * Algorithm 1) and AdamW (Loshchilov & Hutter, 2019, "Decoupled Weight Decay
 * Regularization"), in the form PyTorch's `torch.optim.Adam` / `AdamW` use,
 * per parameter `w` with gradient `g`, moments `m`, `v` (starting at 0) and
 * step count `t` (from 1):
 *
 * ```
 * Adam:  g = g + weightDecay · w            (L2, inside the moments)
 * AdamW: w = w - lr · weightDecay · w       (decay outside the moments)
 * m = β1 · m + (1 - β1) · g
 * v = β2 · v + (1 - β2) · g²
 * w = w - lr · (m / (1 - β1ᵗ)) / (√(v / (1 - β2ᵗ)) + ε)
 * ```
 *
 * The bias corrections `1 - βᵗ` undo the moments' start at zero, so the
 * first steps are not tiny.
 *
 * @module
 */

import type { Parameter } from "../nn/layers.ts";
import type { FloatArray } from "../base/tensor.ts";
import {
  copyState,
  type Optimizer,
  type OptimizerSettings,
  zeroStates,
} from "./optimizer.ts";

/**
 * Options for {@link Adam}: β1 (default 0.9), β2 (default 0.999), ε (default
 * 1e-8), weight decay (default 0) and kernels (where the moments live).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const options: AdamOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
 * assert(new Adam([], options).beta2 === 0.999);
 * ```
 */
export type AdamOptions = Pick<
  OptimizerSettings,
  "beta1" | "beta2" | "eps" | "weightDecay" | "kernels"
>;

/**
 * Adam with bias correction and L2 weight decay. State:
 * `<parameter>.m` and `<parameter>.v` for every parameter, and `step`, the
 * number of steps taken (a one-element array).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const p = {
 *   name: "w",
 *   value: fromValues([1], [1], "f64"),
 *   grad: fromValues([0.5], [1], "f64"),
 * };
 * const adam = new Adam([p]);
 * adam.step(0.1); // bias correction: the first step moves by about lr
 * assert(Math.abs(p.value.data[0] - 0.9) < 1e-7);
 * assert(adam.state().step[0] === 1);
 * ```
 */
export class Adam implements Optimizer {
  /** `"adam"`, or `"adamw"` for {@link AdamW}. */
  readonly name: string = "adam";
  /** Decay of the first-moment average. */
  readonly beta1: number;
  /** Decay of the second-moment average. */
  readonly beta2: number;
  /** Added to `√v̂`, so a zero second moment does not divide by zero. */
  readonly eps: number;
  /** The L2 (Adam) or decoupled (AdamW) decay coefficient. */
  readonly weightDecay: number;
  /** Whether weight decay acts on the weights directly (AdamW). */
  protected readonly decoupled: boolean = false;
  readonly #parameters: Parameter[];
  readonly #m: FloatArray[];
  readonly #v: FloatArray[];
  readonly #step = new Float64Array(1);

  /**
   * Creates the optimizer with zero moments for every parameter.
   *
   * @param parameters What to update; their `grad`s are read on each step.
   */
  constructor(parameters: Parameter[], options: AdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.#parameters = parameters;
    this.#m = zeroStates(parameters, options.kernels);
    this.#v = zeroStates(parameters, options.kernels);
  }

  /** Takes one bias-corrected step over every parameter. */
  step(lr: number): void {
    const t = ++this.#step[0];
    const { beta1, beta2, eps } = this;
    // m̂ / (√v̂ + ε) = (m / c1) / (√v / √c2 + ε): one division per entry.
    const stepSize = lr / (1 - beta1 ** t);
    const invRootC2 = 1 / Math.sqrt(1 - beta2 ** t);
    // L2 decay enters the gradient; decoupled decay shrinks the weights.
    const l2 = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    for (let k = 0; k < this.#parameters.length; k++) {
      const w = this.#parameters[k].value.data;
      const grad = this.#parameters[k].grad.data;
      const m = this.#m[k];
      const v = this.#v[k];
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + l2 * w[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] * shrink -
          stepSize * mi / (Math.sqrt(vi) * invRootC2 + eps);
      }
    }
  }

  /** The moments `<parameter>.m`, `<parameter>.v` and `step` (live arrays). */
  state(): Record<string, FloatArray> {
    const state: Record<string, FloatArray> = { step: this.#step };
    this.#parameters.forEach((p, k) => {
      state[`${p.name}.m`] = this.#m[k];
      state[`${p.name}.v`] = this.#v[k];
    });
    return state;
  }

  /** Copies saved moments and step count back in. */
  loadState(state: Readonly<Record<string, FloatArray>>): void {
    copyState(this.state(), state, this.name);
  }
}

/**
 * AdamW: Adam whose weight decay shrinks the weights by `lr · weightDecay`
 * each step instead of entering the moments, so every weight decays at the
 * same rate whatever its gradient's scale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues } from "@mnist-from-scratch/kit";
 *
 * const p = {
 *   name: "w",
 *   value: fromValues([2], [1], "f64"),
 *   grad: fromValues([0], [1], "f64"),
 * };
 * new AdamW([p], { weightDecay: 0.5 }).step(0.1); // w · (1 - 0.1 · 0.5)
 * assert(Math.abs(p.value.data[0] - 1.9) < 1e-12);
 * ```
 */
export class AdamW extends Adam {
  /** `"adamw"` */
  override readonly name: string = "adamw";
  /** Always true. */
  protected override readonly decoupled: boolean = true;
}
