/**
 * `deno task report RUN_DIR`: (re)writes a run folder's `report.html` and
 * `figures/` from its `metrics.json`, `model.bin` and the data it used.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { reportKitError } from "../base/errors.ts";
import { writeReport } from "./write_report.ts";

/** The `--help` text. */
export function reportHelp(): string {
  return `usage: deno task report RUN_DIR

Writes RUN_DIR/report.html (one self-contained page: training curves, timing,
configuration, the test confusion matrix, missed digits, first-layer weights)
and the same figures as files in RUN_DIR/figures/. RUN_DIR is a folder written
by \`deno task train\` (runs/<timestamp>/ or its --out).

  -h, --help   show this help`;
}

/**
 * Runs the command.
 *
 * @param args The command-line arguments.
 * @returns The exit code: 0 when the report was written (or `--help`), 1 for
 * a bad run folder, 2 for bad arguments.
 */
export async function reportCommand(args: string[]): Promise<number> {
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      console.log(reportHelp());
      return 0;
    }
    positionals = parsed.positionals;
  } catch (error) {
    console.error(`error: ${(error as Error).message.split("\n")[0]}`);
    console.error("help: run `deno task report --help`");
    return 2;
  }
  if (positionals.length !== 1) {
    console.error(
      `error: expected one run folder, got ${positionals.length} arguments`,
    );
    console.error("help: deno task report RUN_DIR, e.g. runs/<timestamp>");
    return 2;
  }
  try {
    const report = await writeReport(positionals[0]);
    console.log(
      `report: ${report.path} (${report.files.length} files in ${
        report.seconds.toFixed(1)
      } s)`,
    );
    return 0;
  } catch (error) {
    return reportKitError(error);
  }
}
