/** `deno task check`: see lib/kit/check.ts. */
import { checkCommand } from "../lib/kit/check.ts";

if (import.meta.main) Deno.exit(await checkCommand());
