"""The kit's default network in NumPy, for `deno task bench`.

Same network, initialization scheme, data, split, normalization, batch size
and schedule as `deno task train` (784-128-64-10 ReLU, He init, softmax
cross-entropy, SGD with momentum 0.9 and weight decay 5e-4, cosine
learning rate 0.05 -> 0, batch 64, inputs scaled to a mean square of 1 on the
first 50,000 training images). The random numbers differ (NumPy's generator).

usage: python3 numpy_mlp.py DATA_DIR DTYPE MAX_EPOCHS TARGET [SCHEDULE_EPOCHS]
       python3 numpy_mlp.py DATA_DIR DTYPE full-batch STEPS
The environment variable SEED (a whole number, default 1) seeds the
initialization and the shuffles (`deno task bench --seeds N`).
Prints one JSON object: seconds and test accuracy after every epoch (step).
"""

import json
import os
import sys
import time

import numpy as np


def read_idx(path, dims):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert magic == 0x0800 + dims, f"{path}: bad magic {magic:#x}"
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    data_dir, dtype_name = sys.argv[1], sys.argv[2]
    dtype = np.float32 if dtype_name == "f32" else np.float64
    full_batch = sys.argv[3] == "full-batch"
    train_images = read_idx(f"{data_dir}/train-images-idx3-ubyte", 3).reshape(60000, 784)
    train_labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte", 1)
    test_images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte", 3).reshape(10000, 784)
    test_labels = read_idx(f"{data_dir}/t10k-labels-idx1-ubyte", 1)
    x_train, y_train = train_images[:50000], train_labels[:50000]
    scale = 1 / np.sqrt(np.mean(x_train.astype(np.float64) ** 2))
    x_train = (x_train * scale).astype(dtype)
    x_test = (test_images * scale).astype(dtype)

    seed = os.environ.get("SEED", "1")
    if not seed.isdigit():
        sys.exit(f"SEED must be a whole number, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    sizes = [784, 128, 64, 10]
    weights = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    weights[-1] *= dtype(0.1)  # the kit's output scale: the untrained loss starts at ln 10
    biases = [np.zeros(b, dtype=dtype) for b in sizes[1:]]
    params = weights + biases
    velocities = [np.zeros_like(p) for p in params]

    if full_batch:
        steps = int(sys.argv[4])
        batch, epochs, lr_max, lr_min, nesterov, decay = 50000, steps, 0.05, 0.01, False, 0.0
        steps_per_epoch = 1
        max_epochs, target = steps, 2.0
    else:
        max_epochs, target = int(sys.argv[3]), float(sys.argv[4])
        epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 15
        batch, lr_max, lr_min, nesterov, decay = 64, 0.05, 0.0, False, 5e-4
        steps_per_epoch = -(-50000 // batch)
    total_steps = epochs * steps_per_epoch

    def forward(x):
        h1 = np.maximum(x @ weights[0] + biases[0], 0)
        h2 = np.maximum(h1 @ weights[1] + biases[1], 0)
        return h1, h2, h2 @ weights[2] + biases[2]

    def test_accuracy():
        return float(np.mean(np.argmax(forward(x_test)[2], axis=1) == test_labels))

    seconds, accuracies, step = [], [], 0
    momentum = dtype(0.9)
    for epoch in range(max_epochs):
        started = time.perf_counter()
        order = rng.permutation(50000) if not full_batch else np.arange(50000)
        for start in range(0, 50000, batch):
            idx = order[start : start + batch]
            x, y = x_train[idx], y_train[idx]
            lr = dtype(lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * step / total_steps)) / 2)
            h1, h2, logits = forward(x)
            z = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(y)), y] -= 1
            d3 = p / dtype(len(y))
            d2 = (d3 @ weights[2].T) * (h2 > 0)
            d1 = (d2 @ weights[1].T) * (h1 > 0)
            grads = [x.T @ d1, h1.T @ d2, h2.T @ d3, d1.sum(0), d2.sum(0), d3.sum(0)]
            for param, grad, velocity in zip(params, grads, velocities):
                if decay:
                    grad = grad + dtype(decay) * param
                velocity *= momentum
                velocity += grad
                param -= lr * (grad + momentum * velocity if nesterov else velocity)
            step += 1
        seconds.append(time.perf_counter() - started)
        if not full_batch or epoch == max_epochs - 1:
            accuracies.append(test_accuracy())
            if accuracies[-1] >= target and epoch >= 2:  # at least 3 epochs to time
                break
    print(json.dumps({
        "implementation": "numpy", "dtype": dtype_name, "numpy": np.__version__,
        "epoch_seconds": seconds, "test_accuracy": accuracies,
    }))


main()
