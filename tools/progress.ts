/** `deno task progress`: see lib/kit/progress.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { progressCommand } from "../lib/kit/progress.ts";

if (import.meta.main) {
  Deno.exit(await runGuarded(() => progressCommand(), Deno.args));
}
