/** `deno task lab [--port N] [RUN_DIR...]`: see lib/cli/lab_command.ts. */
import { labCommand } from "../lib/cli/lab_command.ts";

if (import.meta.main) Deno.exit(await labCommand(Deno.args));
