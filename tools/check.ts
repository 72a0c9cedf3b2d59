/** `deno task check`: see lib/check.ts. */
import { checkCommand } from "../lib/check.ts";

if (import.meta.main) Deno.exit(await checkCommand());
