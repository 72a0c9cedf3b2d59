/** `deno task predict MODEL_OR_RUN_DIR IMAGE...`: see lib/cli/predict_command.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { predictCommand } from "../lib/cli/predict_command.ts";

if (import.meta.main) Deno.exit(await runGuarded(predictCommand, Deno.args));
