/** `deno task hint NN [k]`: see lib/kit/hint.ts. */
import { hintCommand } from "../lib/kit/hint.ts";

if (import.meta.main) Deno.exit(await hintCommand(Deno.args));
