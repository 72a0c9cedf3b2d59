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
