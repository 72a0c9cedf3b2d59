/**
 * Runs `deno task train` or `deno task report` in this process, under the
 * entry points' guard, then prints the process's peak resident memory
 * (Linux's VmHWM) as a last stderr line `peak_rss_kb N`, so a test can hold
 * hostile input to a memory bound without /usr/bin/time.
 *
 * Usage: deno run -A tests/helpers/peak_rss.ts train|report ARGS...
 */
import { runGuarded } from "../../lib/cli/guard.ts";
import { trainCommand } from "../../lib/cli/train_command.ts";
import { reportCommand } from "../../lib/report/report_command.ts";
import { peakRssBytes } from "../../lib/train/run_files.ts";

const commands = { train: trainCommand, report: reportCommand };

/** Parses the `peak_rss_kb N` line; `undefined` off Linux. */
export function peakRssKb(stderr: string): number | undefined {
  const match = stderr.match(/^peak_rss_kb (\d+)$/m);
  return match ? Number(match[1]) : undefined;
}

if (import.meta.main) {
  const [name, ...args] = Deno.args;
  const command = commands[name as keyof typeof commands];
  const code = await runGuarded(command, args);
  const peak = peakRssBytes();
  if (peak !== null) console.error(`peak_rss_kb ${peak / 1024}`);
  Deno.exit(code);
}
