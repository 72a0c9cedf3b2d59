/**
 * What every `deno task train` run shares, whichever code trains: the run
 * folder, the closing verdict line and how a bad input is reported.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { METRICS_FILE, MODEL_FILE } from "../train/run_files.ts";
import { percent } from "./progress_bar.ts";

/**
 * Creates the run folder: `out`, or `runs/<timestamp>/`. Refuses a folder
 * that already holds a run, so no earlier result is overwritten.
 *
 * @throws {KitError} When the folder holds a run or cannot be created.
 */
export async function makeRunDir(
  out: string | undefined,
  startedAt: Date,
): Promise<string> {
  const dir = out ??
    join(
      "runs",
      startedAt.toISOString().replace(/:/g, "-").replace(/\..*$/, ""),
    );
  for (const file of [METRICS_FILE, MODEL_FILE]) {
    if (await Deno.stat(join(dir, file)).then(() => true, () => false)) {
      throw new KitError(
        `${dir}: already holds a run (${file}); it is left untouched`,
        "choose another --out folder, or leave --out out for a new runs/<timestamp>/",
      );
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new KitError(
      `${dir}: cannot create the run folder (${(error as Error).message})`,
    );
  }
  return dir;
}

/** What the verdict line reports. */
export interface Verdict {
  /** Final test accuracy, a fraction. */
  testAccuracy: number;
  /** PASS from here, in percent. */
  targetPercent: number;
  /** Training time, without evaluation. */
  trainSeconds: number;
  /** Epochs run. */
  epochs: number;
  /** Appended to the line, e.g. `" (--impl exercises)"`. */
  suffix?: string;
}

/**
 * Prints the last line, `PASS test accuracy 98.27% (target 98.00%) in 3.9 s
 * of training, 15 epochs`, green or red in a terminal.
 *
 * @returns Whether the run met its target.
 */
export function printVerdict(verdict: Verdict): boolean {
  const { testAccuracy, targetPercent } = verdict;
  const passed = testAccuracy * 100 >= targetPercent - 1e-9;
  const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  const word = passed ? "PASS" : "FAIL";
  const painted = color ? `\x1b[${passed ? 32 : 31};1m${word}\x1b[0m` : word;
  console.log(
    `${painted} test accuracy ${percent(testAccuracy)} ` +
      `(target ${targetPercent.toFixed(2)}%) in ${
        verdict.trainSeconds.toFixed(1)
      } s of training, ${verdict.epochs} epochs${verdict.suffix ?? ""}`,
  );
  return passed;
}

/**
 * Prints a {@link KitError} as `error:` and `help:` lines.
 *
 * @returns 1, the exit code of a run that met bad input.
 * @throws Anything that is not a KitError: a bug keeps its stack trace.
 */
export function reportKitError(error: unknown): number {
  if (!(error instanceof KitError)) throw error;
  console.error(`error: ${error.message}`);
  if (error.help) console.error(`help: ${error.help}`);
  return 1;
}
