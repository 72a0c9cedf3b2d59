/** `deno task check`: see lib/kit/check.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { checkCommand } from "../lib/kit/check.ts";

if (import.meta.main) {
  Deno.exit(await runGuarded(() => checkCommand(), Deno.args));
}
