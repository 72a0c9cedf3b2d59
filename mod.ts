/**
 * mnist-from-scratch: a fully connected network trained on MNIST with no ML
 * or linear-algebra library: tensors, matrix kernels, layers, softmax
 * cross-entropy, gradient checks, SGD, data loading and the training loop,
 * each a small module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromValues, Mlp, softmaxCrossEntropy, zeros } from "./mod.ts";
 *
 * const model = new Mlp({ sizes: [4, 8, 3], dtype: "f64", seed: 1 });
 * const images = fromValues([1, 0, 0.5, 2, 0, 1, 1, 0], [2, 4], "f64");
 * const logits = model.forward(images);
 * const dLogits = zeros([2, 3], "f64");
 * const loss = softmaxCrossEntropy(logits, [2, 0], dLogits);
 * model.backward(dLogits);
 * assert(loss > 0);
 * ```
 *
 * @module
 */

export { KitError } from "./lib/base/errors.ts";
export { Rng, type RngState } from "./lib/base/rng.ts";
export {
  allocate,
  argmaxRows,
  assertShape,
  type DType,
  type FloatArray,
  fromValues,
  Tensor,
  zeros,
} from "./lib/base/tensor.ts";
export {
  abFast,
  abReference,
  abtFast,
  abtReference,
  atbFast,
  atbReference,
  fastKernels,
  type GemmKernel,
  type MatrixKernels,
  referenceKernels,
} from "./lib/kernels/gemm.ts";
export type { ElementwiseKernels } from "./lib/kernels/elementwise.ts";
export type {
  OptimizerKernels,
  SgdStep,
} from "./lib/kernels/optimizer_kernels.ts";
export type { Kernels } from "./lib/kernels/kernel_set.ts";
export {
  chooseKernels,
  DEFAULT_KERNELS,
  KERNEL_NAMES,
  type KernelName,
  kernelsByName,
  type Machine,
  THIS_MACHINE,
} from "./lib/kernels/registry.ts";
export {
  createWasmKernels,
  RELAXED_SIMD_AVAILABLE,
  type WasmKernelOptions,
  type WasmKernels,
  wasmKernels,
} from "./lib/kernels/wasm/kernels.ts";
export {
  Activation,
  type ActivationName,
  ACTIVATIONS,
  type Allocator,
  type Layer,
  Linear,
  type LinearOptions,
  type Parameter,
  ReLU,
  Sigmoid,
  Tanh,
} from "./lib/nn/layers.ts";
export { Dropout } from "./lib/nn/dropout.ts";
export { type LayerSpec, mlpSpecs } from "./lib/nn/layer_specs.ts";
export { softmax, softmaxCrossEntropy } from "./lib/nn/loss.ts";
export {
  assertGradientsClose,
  compareGradients,
  type GradientComparison,
  numericGradient,
  relativeError,
} from "./lib/nn/gradcheck.ts";
export {
  type Optimizer,
  type OptimizerSettings,
} from "./lib/optim/optimizer.ts";
export { Sgd, type SgdOptions } from "./lib/optim/sgd.ts";
export { Adam, type AdamOptions, AdamW } from "./lib/optim/adam.ts";
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerName,
  OPTIMIZERS,
} from "./lib/optim/registry.ts";
export {
  learningRateAt,
  type Schedule,
  type ScheduleName,
  SCHEDULES,
} from "./lib/optim/schedule.ts";
export {
  DEFAULT_SIZES,
  Mlp,
  type MlpArchitecture,
  type MlpOptions,
  type Predictions,
} from "./lib/nn/mlp.ts";
export {
  assertArchitecture,
  decodeModel,
  encodeModel,
  type LoadedModel,
  loadModel,
  MODEL_MAGIC,
  MODEL_VERSION,
  type ModelHeader,
  saveModel,
} from "./lib/train/model_file.ts";
export {
  encodeIdx,
  gunzipIfNeeded,
  type IdxArray,
  idxMagic,
  parseIdx,
  readIdxFile,
} from "./lib/data/idx.ts";
export {
  DEFAULT_CACHE_DIR,
  ensureMnist,
  type LabeledImages,
  loadMnist,
  type LoadMnistOptions,
  type Mnist,
  MNIST_FILES,
  type MnistFile,
  sha256Hex,
  verifyMnistFile,
} from "./lib/data/mnist.ts";
export {
  type Batch,
  Batcher,
  fillBatch,
  fitNormalizer,
  type Normalizer,
  sliceImages,
  splitTrainValidation,
  toTensor,
} from "./lib/data/dataset.ts";
export {
  DEFAULT_CONFIG,
  type Setting,
  type Settings,
  TRAIN_SETTINGS,
  type TrainConfig,
} from "./lib/train/settings.ts";
export {
  DivergedError,
  type EpochMetrics,
  evaluate,
  type Evaluation,
  type Miss,
  train,
  type TrainData,
  type TrainHooks,
  TrainInterrupted,
  type TrainResult,
} from "./lib/train/train.ts";
export type { TrainCheckpoint, TrainProgress } from "./lib/train/checkpoint.ts";
export {
  DIGIT_BOX,
  MNIST_SIDE,
  type Picture,
  toMnistDigit,
} from "./lib/data/preprocess.ts";
export { classifyDigits } from "./lib/train/classify.ts";
export { writeFileAtomic } from "./lib/base/atomic.ts";
export {
  KIT_VERSION,
  METRICS_FILE,
  metricsJson,
  MODEL_FILE,
  peakRssBytes,
  writeMetrics,
} from "./lib/train/run_files.ts";
