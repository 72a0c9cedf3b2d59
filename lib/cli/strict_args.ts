/**
 * Stricter command lines than `node:util`'s `parseArgs` gives: a flag given
 * twice is refused instead of silently taking the last value. Also the
 * settings that keep runs safe and let them continue (`--force`,
 * `--max-memory`, `--resume`), declared here once; `RUN_SETTINGS` includes
 * them.
 *
 * @module
 */

import {
  numberSetting,
  type Settings,
  switchSetting,
} from "../train/settings.ts";

/** The default of `--max-memory`, in MB: well above any sensible MLP. */
export const DEFAULT_MAX_MEMORY_MB = 4096;

/** How a run protects the user's files and the machine. */
export interface SafetyOptions {
  /** Write into a folder holding the user's report or figures; clear a stale lock. */
  force: boolean;
  /** Refuse a network whose estimated memory is above this, in MB. */
  maxMemoryMb: number;
  /** Continue the interrupted run in this folder, with its saved flags. */
  resume?: string;
}

/** The flags of {@link SafetyOptions}, in `--help` order. */
export const SAFETY_SETTINGS: Settings<SafetyOptions> = {
  force: switchSetting(
    false,
    "write into an --out folder that holds a report or figures of its own, or clear a stale lock",
  ),
  maxMemoryMb: {
    ...numberSetting(
      DEFAULT_MAX_MEMORY_MB,
      (x) => x > 0,
      "a positive number of megabytes",
      "refuse a network whose estimated memory (parameters, optimizer, activations) is above this many MB",
    ),
    flag: "max-memory",
  },
  resume: {
    default: undefined,
    help:
      "continue the interrupted run in RUN_DIR from its checkpoint, with its saved flags (no other flag)",
    kind: "value",
    expected: "a run folder",
    parse: (text) => text || undefined,
    show: (dir) => dir ?? "",
  },
};

/**
 * Finds the first flag given more than once.
 *
 * @param args The command line (`--name`, `--name=value`, `--no-name`,
 * `-h`); nothing after a bare `--` counts.
 * @param flags The known flags by name, with their one-letter aliases.
 * @returns The repeated flag's name (`epochs`), or `undefined`.
 */
export function repeatedFlag(
  args: readonly string[],
  flags: Readonly<Record<string, { short?: string }>>,
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
