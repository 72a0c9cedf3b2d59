/** `deno task train`: see lib/cli/train_command.ts. */
import { trainCommand } from "../lib/cli/train_command.ts";

if (import.meta.main) Deno.exit(await trainCommand(Deno.args));
