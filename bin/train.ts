/** `deno task train`: see lib/cli/train_command.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { trainCommand } from "../lib/cli/train_command.ts";

if (import.meta.main) Deno.exit(await runGuarded(trainCommand, Deno.args));
