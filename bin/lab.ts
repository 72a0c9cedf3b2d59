/** `deno task lab [--port N] [RUN_DIR...]`: see lib/cli/lab_command.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { labCommand } from "../lib/cli/lab_command.ts";

if (import.meta.main) Deno.exit(await runGuarded(labCommand, Deno.args));
