// The kit's default network in TensorFlow.js on its WebAssembly backend
// (Node), for `deno task bench`.
//
// Same network, initialization scheme, data, split, normalization, batch
// size and schedule as `deno task train` (784-128-64-10 ReLU, He init,
// softmax cross-entropy, SGD with momentum 0.9 and weight decay 5e-4,
// cosine learning rate 0.05 -> 0 per step, batch 64, inputs scaled to a mean
// square of 1 on the first 50,000 training images). Each epoch shuffles the
// training tensor once and slices its batches from it, as the PyTorch peer
// does. TensorFlow.js has no float64: f32 only. The random numbers differ.
//
// usage: node tfjs_mlp.mjs DATA_DIR MAX_EPOCHS TARGET THREADS
// with @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm resolvable
// (the bench sets NODE_PATH to where they are installed).
// Prints one JSON object: seconds and test accuracy after every epoch.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// The union package: tfjs-core alone registers no gradients.
const tf = require("@tensorflow/tfjs");
const wasm = require("@tensorflow/tfjs-backend-wasm");

const [dataDir, maxEpochsArg, targetArg, threadsArg] = process.argv.slice(2);
const maxEpochs = Number(maxEpochsArg);
const target = Number(targetArg);
const threads = Number(threadsArg);

function readIdx(name, dims) {
  const data = readFileSync(`${dataDir}/${name}`);
  const shape = [];
  for (let i = 0; i < dims; i++) shape.push(data.readUInt32BE(4 + 4 * i));
  return {
    shape,
    bytes: new Uint8Array(data.buffer, data.byteOffset + 4 + 4 * dims),
  };
}

wasm.setThreadsCount(threads);
await tf.setBackend("wasm");
await tf.ready();

const train = readIdx("train-images-idx3-ubyte", 3).bytes.subarray(
  0,
  50000 * 784,
);
const trainLabels = readIdx("train-labels-idx1-ubyte", 1).bytes.subarray(
  0,
  50000,
);
const test = readIdx("t10k-images-idx3-ubyte", 3).bytes;
const testLabels = readIdx("t10k-labels-idx1-ubyte", 1).bytes;
let squares = 0;
for (const b of train) squares += b * b;
const scale = 1 / Math.sqrt(squares / train.length);
// The data stay in JavaScript arrays and each batch is uploaded as a tensor:
// slicing a 50,000-row tensor on the wasm backend took 190 ms a batch.
const xTrain = Float32Array.from(train, (b) => b * scale);
const xTest = tf.tensor2d(Float32Array.from(test, (b) => b * scale), [
  10000,
  784,
]);

const sizes = [784, 128, 64, 10];
const params = [];
for (let i = 0; i < 3; i++) {
  const [a, b] = [sizes[i], sizes[i + 1]];
  const std = Math.sqrt(2 / a) * (b === 10 ? 0.1 : 1);
  params.push(tf.variable(tf.randomNormal([a, b], 0, std, "float32", 1 + i)));
  params.push(tf.variable(tf.zeros([b])));
}

function logits(x) {
  let h = x;
  for (let i = 0; i < 3; i++) {
    h = tf.add(tf.matMul(h, params[2 * i]), params[2 * i + 1]);
    if (i < 2) h = tf.relu(h);
  }
  return h;
}

const weightDecay = 5e-4;
const optimizer = tf.train.momentum(0.05, 0.9);
const batch = 64;
const stepsPerEpoch = Math.ceil(50000 / batch);
const totalSteps = 15 * stepsPerEpoch;
const seconds = [];
const accuracies = [];
let step = 0;
for (let epoch = 0; epoch < maxEpochs; epoch++) {
  const started = performance.now();
  const order = tf.util.createShuffledIndices(50000);
  for (let start = 0; start < 50000; start += batch) {
    const size = Math.min(batch, 50000 - start);
    const images = new Float32Array(size * 784);
    const labels = new Int32Array(size);
    for (let r = 0; r < size; r++) {
      const image = order[start + r];
      images.set(xTrain.subarray(image * 784, (image + 1) * 784), r * 784);
      labels[r] = trainLabels[image];
    }
    optimizer.setLearningRate(
      0.05 * (1 + Math.cos(Math.PI * step / totalSteps)) / 2,
    );
    tf.tidy(() => {
      const x = tf.tensor2d(images, [size, 784]);
      const y = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
      // Weight decay as PyTorch's SGD applies it: gradient + 5e-4 · w.
      optimizer.minimize(() =>
        tf.add(
          tf.losses.softmaxCrossEntropy(y, logits(x)),
          tf.mul(
            weightDecay / 2,
            tf.addN(params.map((p) => tf.sum(tf.square(p)))),
          ),
        )
      );
    });
    step++;
  }
  params[0].dataSync();
  seconds.push((performance.now() - started) / 1000);
  const predicted = tf.tidy(() => tf.argMax(logits(xTest), 1).dataSync());
  let right = 0;
  for (let i = 0; i < 10000; i++) {
    right += predicted[i] === testLabels[i] ? 1 : 0;
  }
  accuracies.push(right / 10000);
  if (accuracies.at(-1) >= target && epoch >= 2) break; // at least 3 epochs to time
}
console.log(JSON.stringify({
  implementation: "tensorflow.js",
  dtype: "f32",
  threads,
  epoch_seconds: seconds,
  test_accuracy: accuracies,
  note: `tfjs ${tf.version_core}, wasm backend with SIMD, ` +
    `${wasm.getThreadsCount()} thread(s), Node ${process.version}`,
}));
process.exit(0);
