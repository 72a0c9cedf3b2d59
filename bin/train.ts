/** `deno task train`: see lib/train_command.ts. */
import { trainCommand } from "../lib/train_command.ts";

if (import.meta.main) Deno.exit(await trainCommand(Deno.args));
