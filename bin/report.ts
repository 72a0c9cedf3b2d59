/** `deno task report RUN_DIR`: see lib/report/report_command.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { reportCommand } from "../lib/report/report_command.ts";

if (import.meta.main) Deno.exit(await runGuarded(reportCommand, Deno.args));
