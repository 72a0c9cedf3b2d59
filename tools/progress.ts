/** `deno task progress`: see lib/kit/progress.ts. */
import { progressCommand } from "../lib/kit/progress.ts";

if (import.meta.main) Deno.exit(await progressCommand());
