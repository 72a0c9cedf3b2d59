/**
 * The kit's one error type: a one-line message a person can act on, plus an
 * optional `help` line. Command-line entry points print these without a
 * stack trace; anything else is a bug and keeps its trace.
 *
 * @module
 */

/**
 * An error caused by input (a file, a flag, a diverging run), not a bug.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const error = new KitError("data/: missing train-images-idx3-ubyte", "run deno task train once to fill the cache");
 * assert(error.message.startsWith("data/:"));
 * assert(error.help !== undefined);
 * ```
 */
export class KitError extends Error {
  /** What to do about it, shown on its own line after the message. */
  readonly help?: string;

  /**
   * Creates an error with a message and an optional help line.
   *
   * @param message What went wrong, naming the file or flag and what was expected.
   * @param help What to try next.
   */
  constructor(message: string, help?: string) {
    super(message);
    this.name = "KitError";
    this.help = help;
  }
}

/**
 * Prints a {@link KitError} as `error:` and `help:` lines on stderr: the
 * one way commands report bad input they caught.
 *
 * @returns 1, the exit code of a command that met bad input.
 * @throws Anything that is not a KitError: a bug keeps its stack trace
 * (the guard around every entry point reports it).
 */
export function reportKitError(error: unknown): number {
  if (!(error instanceof KitError)) throw error;
  console.error(`error: ${error.message}`);
  if (error.help) console.error(`help: ${error.help}`);
  return 1;
}

/**
 * The first line of what was thrown, whatever it is: learners' code (and
 * bugs) may throw a string, a number or `undefined` as well as an Error.
 *
 * @returns An Error's message, or the value written out (a string quoted).
 */
export function thrownMessage(thrown: unknown): string {
  let text: string;
  try {
    text = thrown instanceof Error
      ? thrown.message
      : typeof thrown === "string"
      ? JSON.stringify(thrown)
      : String(thrown);
  } catch {
    text = Object.prototype.toString.call(thrown);
  }
  return text.split("\n")[0];
}
