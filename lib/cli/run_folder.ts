/**
 * What every `deno task train` run shares, whichever code trains: the
 * closing verdict line and how a bad input is reported (the run folder is
 * lib/cli/preflight.ts's `withRunFolder`).
 *
 * @module
 */

import { percent } from "./progress_bar.ts";

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
      } s of training, ${epochsText(verdict.epochs)}${verdict.suffix ?? ""}`,
  );
  return passed;
}

/** `"1 epoch"`, `"15 epochs"`: a count with its noun, for the run's lines. */
export function epochsText(epochs: number): string {
  return `${epochs} epoch${epochs === 1 ? "" : "s"}`;
}
