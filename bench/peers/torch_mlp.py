"""The kit's default network in PyTorch (CPU), for `deno task bench`.

Same network, initialization scheme, data, split, normalization, batch size
and schedule as `deno task train` (784-128-64-10 ReLU, He init, softmax
cross-entropy, SGD with momentum 0.9 and weight decay 5e-4, cosine
learning rate 0.05 -> 0 per step, batch 64, inputs scaled to a mean square of
1 on the first 50,000 training images). Each epoch shuffles the training
tensor once and slices its batches from it. The random numbers differ.

usage: python3 torch_mlp.py DATA_DIR DTYPE MAX_EPOCHS TARGET THREADS
Prints one JSON object: seconds and test accuracy after every epoch, and
which BLAS library it loaded (Debian's reference BLAS is about ten times
slower than OpenBLAS: apt-get install -y libopenblas0-pthread).
"""

import json
import math
import sys
import time

import numpy as np
import torch


def read_idx(path, dims):
    with open(path, "rb") as f:
        data = f.read()
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    data_dir, dtype_name = sys.argv[1], sys.argv[2]
    max_epochs, target, threads = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    dtype = torch.float32 if dtype_name == "f32" else torch.float64
    images = read_idx(f"{data_dir}/train-images-idx3-ubyte", 3).reshape(60000, 784)[:50000]
    labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte", 1)[:50000]
    test_images = read_idx(f"{data_dir}/t10k-images-idx3-ubyte", 3).reshape(10000, 784)
    test_labels = torch.from_numpy(read_idx(f"{data_dir}/t10k-labels-idx1-ubyte", 1).astype(np.int64))
    scale = 1 / np.sqrt(np.mean(images.astype(np.float64) ** 2))
    x_train = torch.from_numpy(images * scale).to(dtype)
    y_train = torch.from_numpy(labels.astype(np.int64))
    x_test = torch.from_numpy(test_images * scale).to(dtype)

    sizes = [784, 128, 64, 10]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        linear = torch.nn.Linear(a, b, dtype=dtype)
        with torch.no_grad():
            linear.weight.normal_(0, math.sqrt(2 / a) * (0.1 if b == 10 else 1))
            linear.bias.zero_()
        layers += [linear] + ([torch.nn.ReLU()] if b != 10 else [])
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch, epochs = 64, 15
    steps_per_epoch = -(-50000 // batch)
    total_steps = epochs * steps_per_epoch

    seconds, accuracies, step = [], [], 0
    for epoch in range(max_epochs):
        started = time.perf_counter()
        order = torch.randperm(50000)
        x_epoch, y_epoch = x_train[order], y_train[order]
        for start in range(0, 50000, batch):
            for group in optimizer.param_groups:
                group["lr"] = 0.05 * (1 + math.cos(math.pi * step / total_steps)) / 2
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_epoch[start : start + batch]), y_epoch[start : start + batch])
            loss.backward()
            optimizer.step()
            step += 1
        seconds.append(time.perf_counter() - started)
        with torch.no_grad():
            accuracies.append(float((model(x_test).argmax(1) == test_labels).double().mean()))
        if accuracies[-1] >= target and epoch >= 2:  # at least 3 epochs to time
            break
    print(json.dumps({
        "implementation": "pytorch", "dtype": dtype_name, "torch": torch.__version__,
        "threads": threads, "epoch_seconds": seconds, "test_accuracy": accuracies,
        "note": f"torch {torch.__version__}, BLAS {blas_library()}",
    }))


def blas_library():
    """The BLAS this process loaded: Debian's torch uses libblas.so.3's alternative."""
    with open("/proc/self/maps") as maps:
        names = {line.split("/")[-1].strip() for line in maps if "blas" in line}
    return ", ".join(sorted(names)) or "unknown"


main()
