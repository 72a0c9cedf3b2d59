/** `deno task reset NN [--yes]`: see lib/kit/reset.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { resetCommand } from "../lib/kit/reset.ts";

if (import.meta.main) Deno.exit(await runGuarded(resetCommand, Deno.args));
