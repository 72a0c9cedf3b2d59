/**
 * The run folder every training run writes: `model.bin` and
 * `metrics.json` (schema below), each written atomically.
 *
 * `metrics.json`, accuracies as fractions in [0, 1], times in seconds:
 * - `config`: every flag's value, by flag name (`batch_size`, `lr`, ...);
 * - `seed`;
 * - `epochs`: `[{epoch, train_loss, train_accuracy, val_accuracy, seconds,
 *   samples_per_second, lr}]`;
 * - `batch_accuracy`, `batch_loss`: one entry per training step;
 * - `train_seconds`: the sum of the epochs' training time;
 * - `val_accuracy`, `test_accuracy`: the final model's;
 * - `missed`: `{validation, test}`, each a list of
 *   `{index, label, predicted, confidence}`; validation indices count from
 *   the start of the validation split (training image 50,000 is index 0);
 * - `model`: `{file, sizes, activation, dtype, parameters}`;
 * - `data`: `{dir, train, validation, test, scale}` (counts and the
 *   normalizer's byte scale);
 * - `versions`: `{kit, deno, v8, typescript}`;
 * - `started_at`: ISO time; `wall_seconds`: from start to metrics,
 *   loading and evaluation included;
 * - `peak_rss_bytes`: the process's peak resident memory (Linux), or null.
 *
 * @module
 */

import { writeFileAtomic } from "../base/atomic.ts";
import type { TrainData, TrainResult } from "./train.ts";
import kit from "../../deno.json" with { type: "json" };

/**
 * The kit's version, from deno.json.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(/^\d+\.\d+\.\d+$/.test(KIT_VERSION));
 * ```
 */
export const KIT_VERSION: string = kit.version;

/**
 * The name of the model file inside a run folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 *
 * assert(join("runs/a", MODEL_FILE) === "runs/a/model.bin");
 * ```
 */
export const MODEL_FILE = "model.bin";
/**
 * The name of the metrics file inside a run folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 *
 * assert(join("runs/a", METRICS_FILE) === "runs/a/metrics.json");
 * ```
 */
export const METRICS_FILE = "metrics.json";

/**
 * Builds the `metrics.json` object of a run.
 *
 * @param config Every flag's value by metrics key (`settingsJson`), `seed`
 * among them.
 * @param data What was trained and tested on, and from where.
 * @param result What training measured.
 * @param startedAt When the run began.
 * @returns The `metrics.json` object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG, train, type TrainData } from "@mnist-from-scratch/kit";
 *
 * // Eight 2x2 "images": the label is the brightest pixel.
 * const images = new Uint8Array(32);
 * const labels = new Uint8Array(8);
 * for (let i = 0; i < 8; i++) {
 *   labels[i] = i % 4;
 *   images[i * 4 + labels[i]] = 255;
 * }
 * const set = { images, labels, count: 8, rows: 2, cols: 2 };
 * const data: TrainData = { train: set, validation: set, test: set, normalizer: { scale: 1 / 255 } };
 * const result = await train(data, { ...DEFAULT_CONFIG, epochs: 1, hidden: [] });
 * const metrics = metricsJson({ seed: 1 }, { ...data, dir: "synthetic" }, result, new Date());
 * assert(metrics.seed === 1 && Array.isArray(metrics.batch_loss));
 * ```
 */
export function metricsJson(
  config: Record<string, unknown>,
  data: TrainData & { dir: string },
  result: TrainResult,
  startedAt: Date,
): Record<string, unknown> {
  return {
    config,
    seed: config.seed,
    epochs: result.epochs.map((e) => ({
      epoch: e.epoch,
      train_loss: e.trainLoss,
      train_accuracy: e.trainAccuracy,
      val_accuracy: e.validationAccuracy,
      seconds: e.seconds,
      samples_per_second: e.samplesPerSecond,
      lr: e.lr,
    })),
    batch_accuracy: result.batchAccuracy,
    batch_loss: result.batchLoss,
    train_seconds: result.trainSeconds,
    val_accuracy: result.validation.accuracy,
    test_accuracy: result.test.accuracy,
    missed: { validation: result.validation.missed, test: result.test.missed },
    model: {
      file: MODEL_FILE,
      sizes: result.model.sizes,
      activation: result.model.activation,
      dtype: result.model.dtype,
      parameters: result.model.parameterCount(),
    },
    data: {
      dir: data.dir,
      train: data.train.count,
      validation: data.validation.count,
      test: data.test.count,
      scale: data.normalizer.scale,
    },
    versions: {
      kit: KIT_VERSION,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
    },
    started_at: startedAt.toISOString(),
    wall_seconds: (Date.now() - startedAt.getTime()) / 1000,
    peak_rss_bytes: peakRssBytes(),
  };
}

/**
 * Writes `metrics.json` atomically.
 *
 * @param path Where to write `metrics.json`.
 * @param metrics The object from {@link metricsJson}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/${METRICS_FILE}`;
 * await writeMetrics(path, { seed: 1 });
 * assert(JSON.parse(await Deno.readTextFile(path)).seed === 1);
 * ```
 */
export async function writeMetrics(
  path: string,
  metrics: Record<string, unknown>,
): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(metrics, null, 1) + "\n");
}

/**
 * Reads the process's peak resident set size from `/proc/self/status`.
 *
 * @returns Bytes, or `null` where the kernel does not report it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const rss = peakRssBytes();
 * assert(rss === null || rss > 0);
 * ```
 */
export function peakRssBytes(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = status.match(/^VmHWM:\s+(\d+) kB$/m);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
