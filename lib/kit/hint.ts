/**
 * `deno task hint NN [k]`: an exercise's hints, one at a time. In a
 * terminal, Enter shows the next one; elsewhere, the command names the one
 * to ask for next.
 *
 * @module
 */

import { KitError, reportKitError } from "../base/errors.ts";
import { parseDecimal } from "../base/decimal.ts";
import { type Exercise, findExercise, loadCurriculum } from "./curriculum.ts";

/**
 * The text of one hint.
 *
 * @param exercise The exercise.
 * @param k Which hint, from 1.
 * @returns The heading and the hint.
 * @throws {KitError} When `k` is not between 1 and the number of hints.
 */
export function hintText(exercise: Exercise, k: number): string {
  const count = exercise.hints.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= count)) {
    throw new KitError(
      `exercise ${exercise.id} has hints 1 to ${count}, not ${k}`,
    );
  }
  const lines = [
    `Hint ${k} of ${count} for ${exercise.id} ${exercise.title}:`,
    `  ${exercise.hints[k - 1]}`,
  ];
  if (k === 1) lines.push(`  (Read also: ${exercise.docs})`);
  return lines.join("\n");
}

const USAGE = "usage: deno task hint NN [k]   (e.g. deno task hint 03)";

/**
 * The `deno task hint` command.
 *
 * @param args `[NN]` or `[NN, k]`.
 * @returns The exit code: 0, or 2 for bad arguments.
 */
export async function hintCommand(args: string[]): Promise<number> {
  if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
    console.error(USAGE);
    return args.includes("--help") || args.includes("-h") ? 0 : 2;
  }
  try {
    const exercise = findExercise(await loadCurriculum(), args[0]);
    let k = args.length === 2 ? parseDecimal(args[1]) : 1;
    if (Number.isNaN(k)) {
      throw new KitError(
        `exercise ${exercise.id} has hints 1 to ${exercise.hints.length}, not "${
          args[1]
        }"`,
      );
    }
    console.log(hintText(exercise, k));
    const interactive = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
    while (k < exercise.hints.length) {
      if (!interactive) {
        console.log(
          `(next: deno task hint ${exercise.id} ${k + 1})`,
        );
        break;
      }
      const answer = prompt(
        `Enter for hint ${k + 1} of ${exercise.hints.length}, q to stop:`,
      );
      if (answer === null || answer.trim().toLowerCase().startsWith("q")) {
        break;
      }
      k++;
      console.log(hintText(exercise, k));
    }
    return 0;
  } catch (error) {
    reportKitError(error);
    return 2;
  }
}
