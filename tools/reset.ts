/** `deno task reset NN [--yes]`: see lib/kit/reset.ts. */
import { resetCommand } from "../lib/kit/reset.ts";

if (import.meta.main) Deno.exit(await resetCommand(Deno.args));
