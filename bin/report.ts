/** `deno task report RUN_DIR`: see lib/report/report_command.ts. */
import { reportCommand } from "../lib/report/report_command.ts";

if (import.meta.main) Deno.exit(await reportCommand(Deno.args));
