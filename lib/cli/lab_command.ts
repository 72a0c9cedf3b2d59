/**
 * `deno task lab [--port N] [RUN_DIR...]`: serves the lab (lib/lab/) for the
 * given run folders, or the newest under `runs/`, plus every other run there
 * to pick from, until Ctrl-C.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { KitError, reportKitError } from "../base/errors.ts";
import { DEFAULT_LAB_PORT, isPort, startLabServer } from "../lab/server.ts";
import { findRuns, RunRegistry } from "../lab/runs.ts";

/** Where `deno task train` puts run folders. */
export const RUNS_ROOT = "runs";

const USAGE = `usage: deno task lab [--port N] [RUN_DIR...]

  RUN_DIR    run folders to open (default: the newest under runs/); every
             run under runs/ can be picked on the page too
  --port N   the port on 127.0.0.1 (default ${DEFAULT_LAB_PORT}; 0 for any free one)`;

/**
 * Parses `--port`.
 *
 * @param text The flag's value.
 * @returns The port.
 * @throws {KitError} When it is not a whole number from 0 to 65535.
 */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !isPort(port)) {
    throw new KitError(
      `--port ${text}: expected a whole number from 0 to 65535`,
    );
  }
  return port;
}

/**
 * The runs the lab opens: those given (which must exist), then every run
 * under `runs/`.
 *
 * @param dirs Run folders from the command line.
 * @returns The registry.
 * @throws {KitError} When a given folder is missing, or none is given and
 * `runs/` holds no run.
 */
export async function openRuns(dirs: string[]): Promise<RunRegistry> {
  const runs = new RunRegistry();
  for (const dir of dirs) await runs.add(dir);
  const found = await findRuns(RUNS_ROOT);
  if (dirs.length === 0 && found.length === 0) {
    throw new KitError(
      `${RUNS_ROOT}/: no run folder to open`,
      "train one first (`deno task train`), or give a run folder",
    );
  }
  for (const dir of found) await runs.add(dir);
  return runs;
}

/**
 * Runs the command until the process is stopped.
 *
 * @param args The command-line arguments.
 * @returns 1 for a bad input, 2 for a usage error (only returns on error).
 */
export async function labCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string", default: `${DEFAULT_LAB_PORT}` },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  let port: number;
  try {
    port = parsePort(parsed.values.port);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const runs = await openRuns(parsed.positionals);
    const lab = await startLabServer({ runs, port });
    console.log(
      `lab: ${lab.url} (${runs.list().length} runs; Ctrl-C stops it)`,
    );
    await new Promise(() => {});
    return 0;
  } catch (error) {
    return reportKitError(error);
  }
}
