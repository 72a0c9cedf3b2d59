/**
 * The optimizers by name, as `--optimizer` accepts them. Adding one is its
 * module, its test, and one line here.
 *
 * @module
 */

import type { Parameter } from "../nn/layers.ts";
import { Adam, AdamW } from "./adam.ts";
import type { Optimizer, OptimizerSettings } from "./optimizer.ts";
import { Sgd } from "./sgd.ts";

/** An optimizer class: built over `parameters` from the settings it knows. */
export type OptimizerClass = new (
  parameters: Parameter[],
  settings: OptimizerSettings,
) => Optimizer;

/**
 * Every optimizer class, by the name `--optimizer` takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(OPTIMIZERS.adamw.name === "AdamW");
 * ```
 */
export const OPTIMIZERS = {
  sgd: Sgd,
  adam: Adam,
  adamw: AdamW,
} as const satisfies Record<string, OptimizerClass>;

/**
 * `"sgd"`, `"adam"` or `"adamw"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const name: OptimizerName = "adam";
 * assert(OPTIMIZER_NAMES.includes(name));
 * ```
 */
export type OptimizerName = keyof typeof OPTIMIZERS;

/**
 * The registered names, in registration order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(OPTIMIZER_NAMES.join() === "sgd,adam,adamw");
 * ```
 */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.keys(
  OPTIMIZERS,
) as OptimizerName[];

/**
 * Builds the optimizer registered as `name`.
 *
 * @param settings The run's whole config will do: each optimizer reads its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const model = new Mlp({ sizes: [4, 3, 2] });
 * const adam = createOptimizer("adam", model.parameters(), { eps: 1e-7 });
 * assert("layer0.weights.m" in adam.state());
 * ```
 */
export function createOptimizer(
  name: OptimizerName,
  parameters: Parameter[],
  settings: OptimizerSettings,
): Optimizer {
  return new OPTIMIZERS[name](parameters, settings);
}
