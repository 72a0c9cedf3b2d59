/**
 * The reference solutions (clear loops, float64) and the kit's fast
 * library must compute the same numbers on the same inputs: forward
 * outputs, gradients, optimizer steps, schedules, parsing, normalization.
 * Neither is copied from the other, so agreement is evidence for both.
 */

import assert from "node:assert/strict";
import {
  abReference,
  encodeIdx,
  fillBatch,
  fitNormalizer,
  fromValues,
  learningRateAt as libLearningRateAt,
  Linear,
  Mlp,
  numericGradient as libNumericGradient,
  type Parameter,
  parseIdx as libParseIdx,
  relativeError as libRelativeError,
  ReLU,
  Sgd,
  Sigmoid,
  softmax as libSoftmax,
  softmaxCrossEntropy,
  Tanh,
  type Tensor as LibTensor,
  zeros as libZeros,
} from "../mod.ts";
import { makeRng, tensor } from "../solutions/01_tensors/tensors.ts";
import { matmul } from "../solutions/02_matmul/matmul.ts";
import {
  linearBackward,
  linearForward,
} from "../solutions/03_linear/linear.ts";
import { ACTIVATIONS } from "../solutions/04_activations/activations.ts";
import { crossEntropy, softmax } from "../solutions/05_softmax/softmax.ts";
import {
  numericGradient,
  relativeError,
} from "../solutions/06_gradcheck/gradcheck.ts";
import {
  createMlp,
  gradientList,
  mlpBackward,
  mlpForward,
  mlpParameters,
} from "../solutions/07_mlp/mlp.ts";
import {
  createSgd,
  learningRateAt,
  type ScheduleName,
  sgdStep,
} from "../solutions/08_sgd/sgd.ts";
import { fitScale, parseIdx, toInputs } from "../solutions/09_data/data.ts";
import { matmulIjk, matmulSkipZeros } from "../solutions/12_speed/fast.ts";

/** Relative agreement, stated per comparison. */
function assertSame(
  what: string,
  ours: ArrayLike<number>,
  lib: ArrayLike<number>,
  tolerance = 1e-12,
): void {
  assert.equal(ours.length, lib.length, `${what}: lengths differ`);
  for (let i = 0; i < ours.length; i++) {
    const scale = Math.max(1, Math.abs(ours[i]), Math.abs(lib[i]));
    assert.ok(
      Math.abs(ours[i] - lib[i]) <= tolerance * scale,
      `${what}: at index ${i} solutions give ${ours[i]}, lib gives ${
        lib[i]
      } (relative tolerance ${tolerance})`,
    );
  }
}

function values(count: number, seed: number, spread = 1): number[] {
  const rng = makeRng(seed);
  return Array.from({ length: count }, () => spread * (2 * rng() - 1));
}

const lib = (v: ArrayLike<number>, shape: number[]): LibTensor =>
  fromValues(v, shape, "f64");

Deno.test("solutions and lib agree: matrix products (02.1, 12.1, 12.2)", () => {
  const a = values(7 * 13, 1);
  a.forEach((v, i) => (a[i] = v > 0.3 ? 0 : v)); // some zeros to skip
  const b = values(13 * 5, 2);
  const out = new Float64Array(7 * 5);
  abReference(Float64Array.from(a), Float64Array.from(b), out, 7, 13, 5);
  for (
    const [name, fn] of [["matmul", matmul], ["matmulIjk", matmulIjk], [
      "matmulSkipZeros",
      matmulSkipZeros,
    ]] as const
  ) {
    assertSame(name, fn(tensor(a, [7, 13]), tensor(b, [13, 5])).data, out);
  }
});

Deno.test("solutions and lib agree: Linear forward and backward (03)", () => {
  const x = values(4 * 6, 3);
  const w = values(6 * 5, 4);
  const bias = values(5, 5);
  const dOut = values(4 * 5, 6);
  const layer = new Linear(6, 5, { dtype: "f64" });
  layer.weights.data.set(w);
  layer.bias.data.set(bias);
  const libOut = layer.forward(lib(x, [4, 6]));
  const libDInput = layer.backward(lib(dOut, [4, 5]))!;
  const params = { weights: tensor(w, [6, 5]), bias: tensor(bias, [5]) };
  const ours = linearForward(tensor(x, [4, 6]), params);
  const grads = linearBackward(tensor(dOut, [4, 5]), tensor(x, [4, 6]), params);
  assertSame("Linear output", ours.data, libOut.data);
  assertSame("Linear dWeights", grads.dWeights.data, layer.dWeights.data);
  assertSame("Linear dBias", grads.dBias.data, layer.dBias.data);
  assertSame("Linear dInput", grads.dInput!.data, libDInput.data);
});

Deno.test("solutions and lib agree: ReLU, sigmoid, tanh forward and backward (04)", () => {
  const x = values(3 * 7, 7, 4);
  const dOut = values(3 * 7, 8);
  for (
    const [name, Layer] of [["relu", ReLU], ["sigmoid", Sigmoid], [
      "tanh",
      Tanh,
    ]] as const
  ) {
    const layer = new Layer(7, "f64");
    const libOut = layer.forward(lib(x, [3, 7]));
    const libDx = layer.backward(lib(dOut, [3, 7]));
    const act = ACTIVATIONS[name];
    const input = tensor(x, [3, 7]);
    const out = act.forward(input);
    assertSame(`${name} forward`, out.data, libOut.data);
    assertSame(
      `${name} backward`,
      act.backward(tensor(dOut, [3, 7]), input, out).data,
      libDx.data,
    );
  }
});

Deno.test("solutions and lib agree: softmax and cross-entropy with its gradient (05)", () => {
  const z = values(5 * 10, 9, 30);
  const labels = [3, 0, 9, 9, 4];
  const libGrad = libZeros([5, 10], "f64");
  const libLoss = softmaxCrossEntropy(lib(z, [5, 10]), labels, libGrad);
  const ours = crossEntropy(tensor(z, [5, 10]), labels);
  assertSame("loss", [ours.loss], [libLoss]);
  assertSame("dLogits", ours.dLogits.data, libGrad.data);
  assertSame(
    "softmax",
    softmax(tensor(z, [5, 10])).data,
    libSoftmax(lib(z, [5, 10]), libZeros([5, 10], "f64")).data,
  );
});

Deno.test("solutions and lib agree: numeric gradient and relative error (06)", () => {
  const x = Float64Array.from(values(6, 10));
  const f = () => x.reduce((t, v, i) => t + Math.sin(v * (i + 1)), 0);
  assertSame(
    "numericGradient",
    numericGradient(f, x),
    libNumericGradient(f, x),
  );
  for (const [a, b] of [[1, 1.1], [0, 1e-12], [-3, 3], [5, 5]]) {
    assertSame(`relativeError(${a}, ${b})`, [relativeError(a, b)], [
      libRelativeError(a, b),
    ]);
  }
});

Deno.test("solutions and lib agree: an MLP's logits and every gradient (07)", () => {
  for (const activation of ["relu", "tanh"] as const) {
    const ours = createMlp([8, 6, 5, 3], activation, makeRng(11));
    const kit = new Mlp({ sizes: [8, 6, 5, 3], activation, dtype: "f64" });
    const kitParams = kit.parameters();
    mlpParameters(ours).forEach((p, i) => kitParams[i].value.data.set(p.data));
    const x = values(4 * 8, 12);
    const labels = [0, 2, 1, 2];
    const { logits, cache } = mlpForward(ours, tensor(x, [4, 8]));
    const kitLogits = kit.forward(lib(x, [4, 8]));
    assertSame(`${activation} logits`, logits.data, kitLogits.data);
    const dKit = libZeros([4, 3], "f64");
    softmaxCrossEntropy(kitLogits, labels, dKit);
    kit.backward(dKit);
    const grads = gradientList(
      mlpBackward(ours, crossEntropy(logits, labels).dLogits, cache),
    );
    grads.forEach((g, i) =>
      assertSame(
        `${activation} ${kitParams[i].name} gradient`,
        g.data,
        kitParams[i].grad.data,
      )
    );
  }
});

Deno.test("solutions and lib agree: SGD with momentum, Nesterov, weight decay (08.1)", () => {
  for (const nesterov of [false, true]) {
    const w0 = values(10, 13);
    const gradients = [values(10, 14), values(10, 15), values(10, 16)];
    const value = lib(w0, [10]);
    const grad = libZeros([10], "f64");
    const param: Parameter = { name: "w", value, grad };
    const kit = new Sgd([param], {
      momentum: 0.9,
      nesterov,
      weightDecay: 0.01,
    });
    const w = tensor(w0, [10]);
    const ours = createSgd([w], { momentum: 0.9, nesterov, weightDecay: 0.01 });
    gradients.forEach((g, step) => {
      grad.data.set(g);
      kit.step(0.1 / (step + 1));
      sgdStep(ours, [w], [tensor(g, [10])], 0.1 / (step + 1));
    });
    assertSame(
      `weights after 3 steps (nesterov ${nesterov})`,
      w.data,
      value.data,
    );
  }
});

Deno.test("solutions and lib agree: learning-rate schedules (08.2)", () => {
  for (const kind of ["constant", "step", "cosine"] as ScheduleName[]) {
    const schedule = { kind, lr: 0.2, lrMin: 0.01 };
    for (const step of [0, 1, 37, 49, 50, 74, 75, 99, 100]) {
      assertSame(
        `${kind} at step ${step}`,
        [learningRateAt(schedule, step, 100)],
        [libLearningRateAt(schedule, step, 100)],
      );
    }
  }
});

Deno.test("solutions and lib agree: IDX parsing, normalizer and batches (09)", () => {
  const rng = makeRng(17);
  const images = Uint8Array.from(
    { length: 5 * 3 * 4 },
    () => rng() < 0.6 ? 0 : Math.floor(rng() * 256),
  );
  const labels = Uint8Array.from([4, 1, 0, 9, 7]);
  const imageBytes = encodeIdx([5, 3, 4], images);
  const ours = parseIdx(imageBytes, "images");
  const kit = libParseIdx(imageBytes, "images", 3);
  assert.deepEqual(ours.dims, kit.dims);
  assertSame("image bytes", ours.data, kit.data, 0);
  assert.deepEqual(
    [...parseIdx(encodeIdx([5], labels), "labels").data],
    [...libParseIdx(encodeIdx([5], labels), "labels", 1).data],
  );
  const kitSet = { images, labels, count: 5, rows: 3, cols: 4 };
  const normalizer = fitNormalizer(kitSet);
  assertSame("scale", [fitScale(images)], [normalizer.scale]);
  const order = [3, 0, 4];
  const out = libZeros([3, 12], "f64");
  const kitLabels = new Uint8Array(3);
  fillBatch(kitSet, order, 0, normalizer, out, kitLabels);
  const batch = toInputs(
    { images, labels, count: 5, pixels: 12 },
    order,
    fitScale(images),
  );
  assertSame("batch images", batch.x.data, out.data);
  assert.deepEqual([...batch.labels], [...kitLabels]);
});
