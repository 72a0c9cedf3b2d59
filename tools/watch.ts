/** `deno task watch`: see lib/kit/watch.ts. */
import { watchCommand } from "../lib/kit/watch.ts";

if (import.meta.main) Deno.exit(await watchCommand(Deno.args));
