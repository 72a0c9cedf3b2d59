/**
 * The run folders the lab shows: those named on the command line plus every
 * folder under `runs/` holding a `metrics.json`, each under a short id (its
 * folder name). A run's metrics are read loosely, since `--impl` runs write
 * fewer fields than lib runs; its model and data are loaded once, on first
 * use.
 *
 * @module
 */

import { basename, join } from "node:path";
import { KitError } from "../base/errors.ts";
import { loadMnist, type Mnist } from "../data/mnist.ts";
import { type LoadedModel, loadModel } from "../train/model_file.ts";
import { METRICS_FILE, MODEL_FILE } from "../train/run_files.ts";

/** A run folder and what the lab has loaded of it. */
export interface LabRun {
  /** The id in the page's URLs: the folder's name, made unique. */
  id: string;
  /** The folder. */
  dir: string;
  /** `metrics.json` as parsed, or null while a live run is training. */
  metrics: Record<string, unknown> | null;
  /** Loaded on first use. */
  model?: Promise<LoadedModel>;
}

/** The run folders the lab knows, by id. */
export class RunRegistry {
  readonly #runs = new Map<string, LabRun>();
  readonly #data = new Map<string, Promise<Mnist>>();

  /** Every run, in the order added. @returns The runs. */
  list(): LabRun[] {
    return [...this.#runs.values()];
  }

  /**
   * Adds a run folder (reading its metrics.json, when there is one yet).
   *
   * @param dir The folder.
   * @returns The run's entry.
   * @throws {KitError} When the folder is missing.
   */
  async add(dir: string): Promise<LabRun> {
    const existing = this.list().find((r) => r.dir === dir);
    if (existing) return existing;
    const info = await Deno.stat(dir).catch(() => null);
    if (!info?.isDirectory) {
      throw new KitError(
        `${dir}: no such run folder`,
        "give a folder written by `deno task train`, or none for the newest under runs/",
      );
    }
    let id = basename(dir) || "run";
    for (let n = 2; this.#runs.has(id); n++) id = `${basename(dir)}-${n}`;
    const run: LabRun = { id, dir, metrics: await readMetrics(dir) };
    this.#runs.set(id, run);
    return run;
  }

  /** @param id A run id. @returns The run, or undefined. */
  get(id: string): LabRun | undefined {
    return this.#runs.get(id);
  }

  /**
   * Reads a run's metrics again (after a live run finishes).
   *
   * @param run The run.
   */
  async refresh(run: LabRun): Promise<void> {
    run.metrics = await readMetrics(run.dir);
    run.model = undefined;
  }

  /**
   * The run's model, loaded once.
   *
   * @param run The run.
   * @returns The model and its input scale.
   */
  model(run: LabRun): Promise<LoadedModel> {
    run.model ??= loadModel(join(run.dir, MODEL_FILE));
    run.model.catch(() => run.model = undefined);
    return run.model;
  }

  /**
   * The data a run trained on (its `data.dir`), loaded once per folder.
   *
   * @param run The run.
   * @returns The data.
   */
  data(run: LabRun): Promise<Mnist> {
    const data = run.metrics?.data as { dir?: unknown } | undefined;
    const dir = typeof data?.dir === "string" ? data.dir : undefined;
    const key = dir ?? "";
    if (!this.#data.has(key)) {
      const loading = loadMnist({ dir });
      loading.catch(() => this.#data.delete(key));
      this.#data.set(key, loading);
    }
    return this.#data.get(key)!;
  }
}

async function readMetrics(
  dir: string,
): Promise<Record<string, unknown> | null> {
  try {
    const json = JSON.parse(await Deno.readTextFile(join(dir, METRICS_FILE)));
    return typeof json === "object" && json !== null ? json : null;
  } catch {
    return null;
  }
}

/**
 * The run folders under `root` that hold a metrics.json, newest first (by
 * name: run folders are named by their start time).
 *
 * @param root Usually `runs/`.
 * @returns Their paths; none when `root` is missing.
 */
export async function findRuns(root: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      const dir = join(root, entry.name);
      const has = await Deno.stat(join(dir, METRICS_FILE)).then(
        () => true,
        () => false,
      );
      if (has) found.push(dir);
    }
  } catch {
    return [];
  }
  return found.sort().reverse();
}
