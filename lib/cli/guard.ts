/**
 * The top-level guard every entry point runs its command in: an error the
 * command did not expect becomes one `error:` line and a request to report
 * it, never a stack trace, unless `--debug` asks for the trace.
 *
 * @module
 */

import { KitError, thrownMessage } from "../base/errors.ts";

/** The flag that keeps the stack trace of an unexpected error. */
export const DEBUG_FLAG = "--debug";

/** `--help`'s line for {@link DEBUG_FLAG}. */
export const DEBUG_HELP = "print the stack trace of an unexpected error";

/** Printed after an unexpected error, so it reaches us rather than a forum. */
export const BUG_NOTICE =
  "this is a bug in the kit, please report it (run again with --debug for the stack trace)";

/**
 * Runs a command's main function under the guard.
 *
 * @param main The command: takes its arguments (without `--debug`), returns
 * the exit code.
 * @param args The command line, possibly holding `--debug`.
 * @returns The command's exit code, or 1 after an error it threw.
 */
export async function runGuarded(
  main: (args: string[]) => Promise<number>,
  args: string[],
): Promise<number> {
  const debug = args.includes(DEBUG_FLAG);
  try {
    return await main(args.filter((arg) => arg !== DEBUG_FLAG));
  } catch (error) {
    console.error(describeFailure(error, debug));
    return 1;
  }
}

/**
 * The lines printed for an error that reached the guard.
 *
 * @param error Anything thrown (an Error, a string, a number, undefined).
 * @param debug Whether to add the stack trace.
 * @returns `error: ...` plus a `help:` line for a {@link KitError}; for
 * anything else, `error: ...` plus {@link BUG_NOTICE} (and the trace when
 * `debug`).
 */
export function describeFailure(error: unknown, debug: boolean): string {
  if (error instanceof KitError) {
    return [`error: ${firstLine(error.message)}`]
      .concat(error.help ? [`help: ${error.help}`] : [])
      .concat(debug && error.stack ? [error.stack] : [])
      .join("\n");
  }
  const what = error instanceof Error
    ? `${error.name}: ${firstLine(error.message)}`
    : `a non-Error value was thrown: ${thrownMessage(error)}`;
  const lines = [`error: ${what}`, `note: ${BUG_NOTICE}`];
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines.join("\n");
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
