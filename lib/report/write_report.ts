/**
 * Writes a run's report into its folder: `report.html` and `figures/`.
 * Everything is built in memory first; files are then written atomically,
 * the page last, and if a write fails the files this call wrote are removed
 * again, so no partial report is left behind.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { KitError } from "../base/errors.ts";
import { loadMnist, type Mnist } from "../data/mnist.ts";
import { loadModel } from "../train/model_file.ts";
import type { ActivationName } from "../nn/layers.ts";
import type { DType } from "../base/tensor.ts";
import { buildReport, FIGURES_DIR, REPORT_FILE } from "./build_report.ts";
import { readRunMetrics } from "./run_metrics.ts";

/** Options for {@link writeReport}. */
export interface WriteReportOptions {
  /** The data, when already loaded (training passes its own). */
  mnist?: Mnist;
  /** Missed digits per grid; default 100. */
  gridLimit?: number;
}

/** What {@link writeReport} wrote. */
export interface WrittenReport {
  /** The page: `RUN_DIR/report.html`. */
  path: string;
  /** Every file written, the page last. */
  files: string[];
  /** Missed test digits in Unicode blocks, to print at the end of a run. */
  terminal: string;
  /** How long building and writing took. */
  seconds: number;
}

/**
 * Writes `report.html` and `figures/` into a run folder.
 *
 * @param runDir A run folder written by `deno task train`.
 * @param options Already-loaded data, grid size.
 * @returns Where the report went and the terminal drawing.
 * @throws {KitError} When the folder, `metrics.json`, the model file or the
 * data is missing or malformed; nothing is written then.
 */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  const started = performance.now();
  const metrics = await readRunMetrics(runDir);
  const mnist = options.mnist ?? await loadMnist({ dir: metrics.data.dir });
  const modelPath = join(runDir, metrics.model.file);
  // The model must be the one the metrics describe (README: an error).
  const { model } = await loadModel(modelPath, {
    sizes: metrics.model.sizes,
    activation: metrics.model.activation as ActivationName,
    dtype: metrics.model.dtype as DType,
  });
  const first = model.parameters().find((p) => p.name === "layer0.weights");
  if (!first || first.value.rows !== mnist.test.rows * mnist.test.cols) {
    throw new KitError(
      `${modelPath}: expected a first layer with ${
        mnist.test.rows * mnist.test.cols
      } inputs, found [${first?.value.shape}]`,
    );
  }
  const built = await buildReport({
    runDir,
    metrics,
    mnist,
    firstLayer: { weights: first.value.data, units: first.value.cols },
    gridLimit: options.gridLimit,
  });
  const written: string[] = [];
  const figures = join(runDir, FIGURES_DIR);
  const hadFigures = await Deno.stat(figures).then(() => true, () => false);
  try {
    await Deno.mkdir(figures, { recursive: true });
    for (const file of built.files) {
      const path = join(runDir, file.path);
      await Deno.mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, file.data);
      written.push(path);
    }
  } catch (error) {
    for (const path of written) await Deno.remove(path).catch(() => {});
    if (!hadFigures) await Deno.remove(figures).catch(() => {});
    throw new KitError(
      `${runDir}: cannot write the report (${(error as Error).message})`,
    );
  }
  return {
    path: join(runDir, REPORT_FILE),
    files: written,
    terminal: built.terminal,
    seconds: (performance.now() - started) / 1000,
  };
}
