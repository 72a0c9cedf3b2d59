/**
 * A network as a list of layer specs, each built by its kind's entry in
 * {@link LAYER_KINDS}: `[{kind: "linear", out: 128}, {kind: "activation",
 * name: "relu"}, {kind: "dropout", rate: 0.2}, {kind: "linear", out: 10}]`.
 * A new kind of layer (batch normalization, say) is its module and one
 * entry here; it may sit anywhere in the list.
 *
 * @module
 */

import type { Kernels } from "../kernels/kernel_set.ts";
import type { Rng } from "../base/rng.ts";
import type { DType } from "../base/tensor.ts";
import { Dropout } from "./dropout.ts";
import {
  type ActivationName,
  ACTIVATIONS,
  type Layer,
  Linear,
} from "./layers.ts";

/**
 * One layer of a network, by kind; widths follow from the previous layer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mlp } from "@mnist-from-scratch/kit";
 *
 * const layers: LayerSpec[] = [
 *   { kind: "linear", out: 16 },
 *   { kind: "dropout", rate: 0.1 }, // before the activation, for once
 *   { kind: "activation", name: "relu" },
 *   { kind: "linear", out: 10 },
 * ];
 * const model = new Mlp({ sizes: [784, 16, 10], layers });
 * assert(model.layers[1].name === "Dropout(0.1)");
 * ```
 */
export type LayerSpec =
  | { kind: "linear"; out: number }
  | { kind: "activation"; name: ActivationName }
  | { kind: "dropout"; rate: number };

/** What every layer is built with besides its spec. */
export interface LayerContext {
  /** The width of the layer's input. */
  features: number;
  /** Whether the layer is the first (its input is data: no gradient). */
  first: boolean;
  /** The dtype of its buffers and parameters. */
  dtype: DType;
  /** Draws initial weights and dropout masks: the run's one RNG. */
  rng: Rng;
  /** Where its buffers live and how it multiplies. */
  kernels: Kernels;
}

/** Builds a layer from its spec and context. */
export type LayerBuilder<S> = (spec: S, context: LayerContext) => Layer;

/** A builder per kind of layer spec. */
export const LAYER_KINDS: {
  [K in LayerSpec["kind"]]: LayerBuilder<Extract<LayerSpec, { kind: K }>>;
} = {
  linear: (spec, c) =>
    new Linear(c.features, spec.out, {
      dtype: c.dtype,
      rng: c.rng,
      kernels: c.kernels,
      inputGradient: !c.first,
    }),
  activation: (spec, c) =>
    new ACTIVATIONS[spec.name](c.features, c.dtype, c.kernels),
  dropout: (spec, c) =>
    new Dropout(c.features, spec.rate, c.rng, c.dtype, c.kernels),
};

/**
 * The kit's fully connected stack for `sizes` `[in, ...hidden, classes]`:
 * Linear, activation (then dropout, when `dropout > 0`) for each hidden
 * width, and a final Linear.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const specs = mlpSpecs([784, 128, 10], "relu", 0.2);
 * assert(specs.map((s) => s.kind).join() === "linear,activation,dropout,linear");
 * ```
 */
export function mlpSpecs(
  sizes: readonly number[],
  activation: ActivationName,
  dropout = 0,
): LayerSpec[] {
  const specs: LayerSpec[] = [];
  for (let i = 1; i < sizes.length; i++) {
    specs.push({ kind: "linear", out: sizes[i] });
    if (i + 1 === sizes.length) break;
    specs.push({ kind: "activation", name: activation });
    if (dropout > 0) specs.push({ kind: "dropout", rate: dropout });
  }
  return specs;
}

/**
 * Builds the layers in order, each taking the previous one's width.
 *
 * @param inFeatures The width of the network's input.
 */
export function buildLayers(
  inFeatures: number,
  specs: readonly LayerSpec[],
  context: Omit<LayerContext, "features" | "first">,
): Layer[] {
  let features = inFeatures;
  return specs.map((spec, i) => {
    const c = { ...context, features, first: i === 0 };
    const build = LAYER_KINDS[spec.kind] as LayerBuilder<LayerSpec>;
    if (spec.kind === "linear") features = spec.out;
    return build(spec, c);
  });
}
