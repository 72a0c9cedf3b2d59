/** `deno task progress`: see lib/curriculum_progress.ts. */
import { progressCommand } from "../lib/curriculum_progress.ts";

if (import.meta.main) Deno.exit(await progressCommand());
