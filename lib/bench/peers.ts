/**
 * The peers of `deno task bench`: the same network, data, batch size and
 * schedule in NumPy, C++/Eigen, PyTorch and TensorFlow.js (programs in
 * bench/peers/), each in its best honest configuration, on one and on two
 * threads where it has both. A peer that
 * is missing or fails is a skipped row saying why and how to install it,
 * never a crash of the bench.
 *
 * @module
 */

import { join } from "node:path";
import type { DType } from "../base/tensor.ts";
import {
  type BenchProtocol,
  type BenchRow,
  benchRow,
  skippedRow,
} from "./bench.ts";

/** The thread counts every peer runs with: one core, and both. */
const THREADS = [1, 2] as const;

/** @returns `"1 thread"` or `"2 threads"`. */
function threadsLabel(threads: number): string {
  return threads === 1 ? "1 thread" : `${threads} threads`;
}

/**
 * Runs a peer program that prints `{epoch_seconds, test_accuracy}` JSON.
 *
 * @param implementation The row's name.
 * @param dtype Its float type.
 * @param command The program and its arguments.
 * @param target The accuracy that counts for `secondsToTarget`.
 * @param env Extra environment variables.
 * @returns The row, or a skipped row saying what failed.
 */
export async function benchPeer(
  implementation: string,
  dtype: DType,
  command: string[],
  target: number,
  env: Record<string, string> = {},
): Promise<BenchRow> {
  let output: Deno.CommandOutput | Error;
  try {
    // A missing program throws at once, not through the promise.
    output = await new Deno.Command(command[0], {
      args: command.slice(1),
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    output = error as Error;
  }
  const skip = (note: string) => skippedRow(implementation, dtype, note);
  if (output instanceof Error) return skip(output.message);
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n")
      .at(-1);
    return skip(`exited with ${output.code}: ${stderr}`);
  }
  try {
    const result = JSON.parse(new TextDecoder().decode(output.stdout));
    const row = benchRow(
      implementation,
      dtype,
      result.epoch_seconds,
      result.test_accuracy,
      target,
    );
    row.kind = "peer";
    if (result.note) row.note = result.note;
    return row;
  } catch (error) {
    return skip(`unreadable output: ${(error as Error).message}`);
  }
}

/** @returns Whether a command runs successfully. */
export async function succeeds(
  command: string,
  args: string[],
): Promise<boolean> {
  try {
    return (await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

/** One run of a peer program: its row's name, float type, command and environment. */
export interface PeerRun {
  /** E.g. `"numpy (1 thread)"`. */
  implementation: string;
  /** `"f32"` or `"f64"`. */
  dtype: DType;
  /** The program and its arguments. */
  command: string[];
  /** Its thread counts. */
  env: Record<string, string>;
}

/**
 * The NumPy runs (`bench/peers/numpy_mlp.py`, on `python3` from the PATH):
 * f32 and f64, on one and two BLAS threads.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Four runs.
 */
export function numpyRuns(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): PeerRun[] {
  return THREADS.flatMap((threads) =>
    (["f32", "f64"] as const).map((dtype) =>
      numpyRun(peersDir, dataDir, dtype, threads, [
        String(protocol.maxEpochs),
        String(protocol.target),
      ])
    )
  );
}

/**
 * One NumPy run: `numpy_mlp.py DATA DTYPE ...how` on `threads` BLAS threads.
 *
 * @param how The script's last arguments: epochs and target, or
 * `full-batch` and steps.
 * @returns The run.
 */
function numpyRun(
  peersDir: string,
  dataDir: string,
  dtype: DType,
  threads: number,
  how: string[],
): PeerRun {
  return {
    implementation: `numpy (${threadsLabel(threads)})`,
    dtype,
    command: [
      "python3",
      join(peersDir, "numpy_mlp.py"),
      dataDir,
      dtype,
      ...how,
    ],
    env: {
      OPENBLAS_NUM_THREADS: String(threads),
      OMP_NUM_THREADS: String(threads),
      MKL_NUM_THREADS: String(threads),
    },
  };
}

/** Why the NumPy rows are skipped, or `null` when NumPy imports. */
export async function numpyMissing(): Promise<string | null> {
  return await succeeds("python3", ["-c", "import numpy"])
    ? null
    : "python3 with NumPy not found (pip install numpy)";
}

/**
 * The NumPy rows: {@link numpyRuns}, each run.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Four rows, skipped with a reason when NumPy is missing.
 */
export async function benchNumpy(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): Promise<BenchRow[]> {
  const missing = await numpyMissing();
  const rows: BenchRow[] = [];
  for (const run of numpyRuns(peersDir, dataDir, protocol)) {
    rows.push(
      missing === null
        ? await benchPeer(
          run.implementation,
          run.dtype,
          run.command,
          protocol.target,
          run.env,
        )
        : skippedRow(run.implementation, run.dtype, missing),
    );
  }
  return rows;
}

/** The Python that has Debian's python3-torch. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * The PyTorch rows (`bench/peers/torch_mlp.py` on Debian's `python3-torch`),
 * f32 and f64, on one and two threads. The program names the BLAS it
 * loaded in its note: Debian's torch uses whatever `libblas.so.3` is
 * installed, and the reference BLAS is about ten times slower than
 * OpenBLAS (`apt-get install -y libopenblas0-pthread`).
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Four rows, skipped with a reason when PyTorch is missing.
 */
export async function benchTorch(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const available = await succeeds(SYSTEM_PYTHON, ["-c", "import torch"]);
  for (const threads of THREADS) {
    for (const dtype of ["f32", "f64"] as const) {
      const name = `pytorch (${threadsLabel(threads)})`;
      const command = [
        SYSTEM_PYTHON,
        join(peersDir, "torch_mlp.py"),
        dataDir,
        dtype,
        String(protocol.maxEpochs),
        String(protocol.target),
        String(threads),
      ];
      rows.push(
        available
          ? await benchPeer(name, dtype, command, protocol.target, {
            OMP_NUM_THREADS: String(threads),
          })
          : skippedRow(
            name,
            dtype,
            `${SYSTEM_PYTHON} cannot import torch (apt-get install -y python3-torch)`,
          ),
      );
    }
  }
  return rows;
}

/** Where Debian's libeigen3-dev puts the headers. */
export const EIGEN_INCLUDE = "/usr/include/eigen3";

/**
 * Builds `bench/peers/eigen_mlp.cpp` with `g++ -O3 -march=native -fopenmp`:
 * one binary, whose products use as many threads as `OMP_NUM_THREADS`.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dtype `"f64"` builds with `-DUSE_DOUBLE`.
 * @param buildDir Where the binary goes.
 * @returns The binary's path, or `null` when the build failed.
 */
export async function buildEigenPeer(
  peersDir: string,
  dtype: DType,
  buildDir: string,
): Promise<string | null> {
  const binary = join(buildDir, `eigen_${dtype}`);
  const flags = [
    "-O3",
    "-march=native",
    "-fopenmp",
    "-DNDEBUG",
    `-I${EIGEN_INCLUDE}`,
    ...(dtype === "f64" ? ["-DUSE_DOUBLE"] : []),
  ];
  return await succeeds("g++", [
      ...flags,
      join(peersDir, "eigen_mlp.cpp"),
      "-o",
      binary,
    ])
    ? binary
    : null;
}

/**
 * Builds the Eigen peer for one float type into `build`, when g++ and the
 * Eigen headers are there.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dtype The float type to build it for.
 * @param build A temporary folder for the binary.
 * @returns The binary, or why there is none.
 */
export async function eigenPeer(
  peersDir: string,
  dtype: DType,
  build: string,
): Promise<{ binary: string } | { missing: string }> {
  const hasCompiler = await succeeds("g++", ["--version"]);
  const hasEigen = await Deno.stat(join(EIGEN_INCLUDE, "Eigen/Dense")).then(
    () => true,
    () => false,
  );
  if (!hasCompiler || !hasEigen) {
    return {
      missing:
        "needs g++ and Eigen headers (apt-get install -y g++ libeigen3-dev)",
    };
  }
  const binary = await buildEigenPeer(peersDir, dtype, build);
  return binary === null
    ? { missing: "g++ failed to build bench/peers/eigen_mlp.cpp" }
    : { binary };
}

/**
 * The C++/Eigen runs of one binary, on one and two OpenMP threads.
 *
 * @param binary The built peer.
 * @param dtype The float type it was built for.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Two runs.
 */
export function eigenRuns(
  binary: string,
  dtype: DType,
  dataDir: string,
  protocol: BenchProtocol,
): PeerRun[] {
  return THREADS.map((threads) =>
    eigenRun(binary, dtype, dataDir, threads, [
      String(protocol.maxEpochs),
      String(protocol.target),
    ])
  );
}

/**
 * One Eigen run: `BINARY DATA ...how` on `threads` OpenMP threads.
 *
 * @param how The binary's last arguments: epochs and target, or
 * `full-batch` and steps.
 * @returns The run.
 */
function eigenRun(
  binary: string,
  dtype: DType,
  dataDir: string,
  threads: number,
  how: string[],
): PeerRun {
  return {
    implementation: `c++ eigen -O3 (${threadsLabel(threads)})`,
    dtype,
    command: [binary, dataDir, ...how],
    env: { OMP_NUM_THREADS: String(threads) },
  };
}

/**
 * The original project's full-batch recipe in NumPy and Eigen (built into
 * `build`), `steps` steps over all 50,000 images, each on two threads: its
 * faster setting for products this large.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @returns The runs that can be made, and the others with their reason.
 */
export async function fullBatchPeerRuns(
  peersDir: string,
  dataDir: string,
  dtype: DType,
  steps: number,
  build: string,
): Promise<{ runs: PeerRun[]; missing: MissingRun[] }> {
  const how = ["full-batch", String(steps)];
  const numpy = numpyRun(peersDir, dataDir, dtype, 2, how);
  const numpyNote = await numpyMissing();
  const eigenBuild = await eigenPeer(peersDir, dtype, build);
  const eigenNote = "missing" in eigenBuild ? eigenBuild.missing : null;
  const eigen = eigenRun(
    "binary" in eigenBuild ? eigenBuild.binary : "",
    dtype,
    dataDir,
    2,
    how,
  );
  const runs: PeerRun[] = [];
  const missing: MissingRun[] = [];
  for (const [run, note] of [[numpy, numpyNote], [eigen, eigenNote]] as const) {
    if (note === null) runs.push(run);
    else missing.push({ implementation: run.implementation, note });
  }
  return { runs, missing };
}

/** A peer run that cannot be made, and why. */
export interface MissingRun {
  /** Its row's name. */
  implementation: string;
  /** Why, with the install command. */
  note: string;
}

/**
 * The f32 runs of NumPy and of Eigen (built into `build`) on one and two
 * threads: the fastest peers, which the seed study and the alternated rounds
 * compare the kit with.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @param build A temporary folder for the Eigen binary.
 * @returns The runs that can be made, and the others with the reason.
 */
export async function fastPeerRuns(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
  build: string,
): Promise<{ runs: PeerRun[]; missing: MissingRun[] }> {
  const f32 = (runs: PeerRun[]) => runs.filter((r) => r.dtype === "f32");
  const numpy = f32(numpyRuns(peersDir, dataDir, protocol));
  const numpyNote = await numpyMissing();
  const eigen = await eigenPeer(peersDir, "f32", build);
  const binary = "binary" in eigen ? eigen.binary : "";
  const eigenF32 = eigenRuns(binary, "f32", dataDir, protocol);
  const missing = (runs: PeerRun[], note: string) =>
    runs.map((r) => ({ implementation: r.implementation, note }));
  return {
    runs: [
      ...(numpyNote === null ? numpy : []),
      ...("binary" in eigen ? eigenF32 : []),
    ],
    missing: [
      ...(numpyNote === null ? [] : missing(numpy, numpyNote)),
      ...("missing" in eigen ? missing(eigenF32, eigen.missing) : []),
    ],
  };
}

/**
 * The C++/Eigen rows (`bench/peers/eigen_mlp.cpp`), built once per dtype
 * into a temporary folder and run on one and two OpenMP threads.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @returns Four rows, skipped with a reason when g++ or Eigen is missing.
 */
export async function benchEigen(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const build = await Deno.makeTempDir();
  for (const dtype of ["f32", "f64"] as const) {
    const peer = await eigenPeer(peersDir, dtype, build);
    const binary = "binary" in peer ? peer.binary : "";
    for (const run of eigenRuns(binary, dtype, dataDir, protocol)) {
      rows.push(
        "missing" in peer
          ? skippedRow(run.implementation, dtype, peer.missing)
          : await benchPeer(
            run.implementation,
            dtype,
            run.command,
            protocol.target,
            run.env,
          ),
      );
    }
  }
  await Deno.remove(build, { recursive: true });
  return rows;
}

/** The TensorFlow.js version the peer runs on, pinned. */
const TFJS_VERSION = "4.22.0";

/** The TensorFlow.js packages the peer runs on. */
export const TFJS_PACKAGES = [
  `@tensorflow/tfjs@${TFJS_VERSION}`,
  `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
] as const;

/**
 * Where the bench installs TensorFlow.js for its peer: a cache folder of
 * the user's, outside the kit (it is never one of the kit's dependencies).
 *
 * @returns `$TFJS_DIR`, else `~/.cache/mnist-from-scratch/tfjs-<version>`.
 */
export function tfjsDir(): string {
  const home = Deno.env.get("HOME") ?? ".";
  return Deno.env.get("TFJS_DIR") ??
    join(home, ".cache", "mnist-from-scratch", `tfjs-${TFJS_VERSION}`);
}

/**
 * Installs the pinned TensorFlow.js packages into `dir` with npm, unless
 * they are there already.
 *
 * @returns `null` when they are ready, else why not (with the command).
 */
export async function installTfjs(dir: string): Promise<string | null> {
  const installed = join(
    dir,
    "node_modules",
    "@tensorflow",
    "tfjs-backend-wasm",
  );
  if (await Deno.stat(installed).then(() => true, () => false)) return null;
  const args = [
    "install",
    "--prefix",
    dir,
    "--no-audit",
    "--no-fund",
    ...TFJS_PACKAGES,
  ];
  await Deno.mkdir(dir, { recursive: true });
  return await succeeds("npm", args)
    ? null
    : `npm could not install TensorFlow.js (npm ${args.join(" ")})`;
}

/**
 * The TensorFlow.js row (`bench/peers/tfjs_mlp.mjs` under Node, its
 * WebAssembly backend with SIMD), installed from npm into
 * {@link tfjsDir} on first use. f32 only (TensorFlow.js has no float64),
 * and one thread: under Node the backend has no threaded build
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false), so a 2-thread row would be
 * the same program.
 *
 * @param peersDir The folder holding the peer programs.
 * @param dataDir The folder with the four MNIST files.
 * @param protocol When to stop.
 * @param install Installs the packages (tests pass one that fails).
 * @returns One row, skipped with a reason when Node or npm fails.
 */
export async function benchTfjs(
  peersDir: string,
  dataDir: string,
  protocol: BenchProtocol,
  install: (dir: string) => Promise<string | null> = installTfjs,
): Promise<BenchRow> {
  const name = "tensorflow.js wasm (1 thread)";
  if (!await succeeds("node", ["--version"])) {
    return skippedRow(name, "f32", "needs Node.js and npm (node on the PATH)");
  }
  const dir = tfjsDir();
  const problem = await install(dir);
  if (problem !== null) return skippedRow(name, "f32", problem);
  const command = [
    "node",
    join(peersDir, "tfjs_mlp.mjs"),
    dataDir,
    String(protocol.maxEpochs),
    String(protocol.target),
    "1",
  ];
  return await benchPeer(name, "f32", command, protocol.target, {
    NODE_PATH: join(dir, "node_modules"),
  });
}
