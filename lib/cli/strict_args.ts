/**
 * Stricter command lines than `node:util`'s `parseArgs` gives: a flag given
 * twice is refused instead of silently taking the last value, and numbers
 * are plain decimals (`Number()` alone reads `0x10` as 16, `""` as 0 and
 * `Infinity` as a number). Also the flags that keep runs safe (`--force`,
 * `--max-memory`, `--debug`), declared here once and listed by `--help`.
 *
 * @module
 */

/** A flag as `deno task train --help` lists it (see `TRAIN_FLAGS`). */
export interface FlagSpec {
  /** Strings carry a value; booleans are present or not. */
  type: "string" | "boolean";
  /** One line for `--help`. */
  help: string;
  /** The value when the flag is not given. */
  default: string | boolean;
  /** A one-letter alias, e.g. `h`. */
  short?: string;
}

/** The default of `--max-memory`, in MB: well above any sensible MLP. */
export const DEFAULT_MAX_MEMORY_MB = 4096;

/** The flags that protect runs; `TRAIN_FLAGS` includes them. */
export const SAFETY_FLAGS: Readonly<Record<string, FlagSpec>> = {
  force: {
    type: "boolean",
    default: false,
    help:
      "write into an --out folder that holds a report or figures of its own, or clear a stale lock",
  },
  "max-memory": {
    type: "string",
    default: `${DEFAULT_MAX_MEMORY_MB}`,
    help:
      "refuse a network whose estimated memory (parameters, optimizer, activations) is above this many MB",
  },
  debug: {
    type: "boolean",
    default: false,
    help: "print the stack trace of an unexpected error",
  },
};

/**
 * Finds the first flag given more than once.
 *
 * @param args The command line (`--name`, `--name=value`, `--no-name`,
 * `-h`); nothing after a bare `--` counts.
 * @param flags The known flags, to map short aliases to their names.
 * @returns The repeated flag's name (`epochs`), or `undefined`.
 */
export function repeatedFlag(
  args: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
): string | undefined {
  const shorts = new Map(
    Object.entries(flags).flatMap(([name, spec]) =>
      spec.short ? [[spec.short, name] as const] : []
    ),
  );
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === "--") break;
    let name: string | undefined;
    if (arg.startsWith("--")) {
      name = arg.slice(2).split("=")[0];
      if (!(name in flags) && name.startsWith("no-")) name = name.slice(3);
    } else if (/^-[^-]$/.test(arg)) {
      name = shorts.get(arg[1]) ?? arg[1];
    }
    if (name === undefined) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a decimal number: digits, an optional point and exponent
 * (`0.05`, `5e-4`, `-1`). Anything else, hex, binary, `Infinity`, blanks
 * or the empty string included, is `NaN`.
 *
 * @param text The flag's value as typed.
 * @returns The number, or `NaN`.
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}
