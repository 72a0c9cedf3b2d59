/** `deno task reset NN [--yes]`: see lib/curriculum_reset.ts. */
import { resetCommand } from "../lib/curriculum_reset.ts";

if (import.meta.main) Deno.exit(await resetCommand(Deno.args));
