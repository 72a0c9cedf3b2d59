/** `deno task hint NN [k]`: see lib/curriculum_hint.ts. */
import { hintCommand } from "../lib/curriculum_hint.ts";

if (import.meta.main) Deno.exit(await hintCommand(Deno.args));
