/**
 * `deno task predict MODEL_OR_RUN_DIR IMAGE...`: what a trained model reads
 * in each image (a PNG of any size and colours, or `IDX_FILE#INDEX`), after
 * the MNIST preprocessing of lib/data/preprocess.ts.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { KitError, reportKitError } from "../base/errors.ts";
import { readPicture } from "../data/picture_file.ts";
import { toMnistDigit } from "../data/preprocess.ts";
import { classifyDigits } from "../train/classify.ts";
import { type LoadedModel, loadModel } from "../train/model_file.ts";
import { MODEL_FILE } from "../train/run_files.ts";

const USAGE = `usage: deno task predict [--json] MODEL_OR_RUN_DIR IMAGE...

  MODEL_OR_RUN_DIR  a model.bin, or a run folder holding one
  IMAGE             a PNG (any size, colour or grey, dark-on-light or
                    light-on-dark), or IDX_IMAGES_FILE#INDEX
  --json            one JSON object per line: {"file", "digit", "probabilities"}`;

/** One image's answer. */
export interface Prediction {
  /** The image as given on the command line. */
  file: string;
  /** The most probable class. */
  digit: number;
  /** The ten class probabilities. */
  probabilities: number[];
}

/**
 * Loads a model from a model file or a run folder.
 *
 * @param path `model.bin` or a folder holding one.
 * @returns The model and its input scale.
 * @throws {KitError} When neither is there or the file is invalid.
 */
export async function loadModelOrRun(path: string): Promise<LoadedModel> {
  const info = await Deno.stat(path).catch(() => null);
  if (info === null) {
    throw new KitError(`${path}: no such model file or run folder`);
  }
  return await loadModel(info.isDirectory ? join(path, MODEL_FILE) : path);
}

/**
 * Reads, preprocesses and classifies one image.
 *
 * @param loaded The model.
 * @param file A PNG path or `IDX#INDEX`.
 * @returns The prediction.
 * @throws {KitError} When the image is unreadable or holds no ink.
 */
export async function predictFile(
  loaded: LoadedModel,
  file: string,
): Promise<Prediction> {
  const digit = toMnistDigit(await readPicture(file), file);
  const probabilities = [...classifyDigits(loaded, digit)];
  return { file, digit: argmax(probabilities), probabilities };
}

/**
 * Runs the command.
 *
 * @param args The command-line arguments.
 * @returns 0, 1 when a model or an image was bad (the others are still
 * answered), 2 for a usage error.
 */
export async function predictCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: "boolean" }, help: { type: "boolean" } },
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [modelPath, ...files] = parsed.positionals;
  if (!modelPath || files.length === 0) {
    console.error(
      `error: give a model (or run folder) and one or more images\n${USAGE}`,
    );
    return 2;
  }
  let loaded: LoadedModel;
  try {
    loaded = await loadModelOrRun(modelPath);
  } catch (error) {
    return reportKitError(error);
  }
  let code = 0;
  for (const file of files) {
    try {
      const prediction = await predictFile(loaded, file);
      console.log(
        parsed.values.json
          ? JSON.stringify(prediction)
          : formatPrediction(prediction),
      );
    } catch (error) {
      code = reportKitError(error);
    }
  }
  return code;
}

/**
 * One line for people: `digit.png: 7  (7 98.1%, 1 1.2%, 9 0.3%)`.
 *
 * @param prediction An answer.
 * @returns The line.
 */
export function formatPrediction(prediction: Prediction): string {
  const top = prediction.probabilities
    .map((p, digit) => ({ p, digit }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
    .map(({ p, digit }) => `${digit} ${(p * 100).toFixed(1)}%`);
  return `${prediction.file}: ${prediction.digit}  (${top.join(", ")})`;
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i] > values[best]) best = i;
  }
  return best;
}
