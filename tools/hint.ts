/** `deno task hint NN [k]`: see lib/kit/hint.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { hintCommand } from "../lib/kit/hint.ts";

if (import.meta.main) Deno.exit(await runGuarded(hintCommand, Deno.args));
