/** `deno task watch`: see lib/kit/watch.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { watchCommand } from "../lib/kit/watch.ts";

if (import.meta.main) Deno.exit(await runGuarded(watchCommand, Deno.args));
