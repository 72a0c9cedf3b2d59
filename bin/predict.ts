/** `deno task predict MODEL_OR_RUN_DIR IMAGE...`: see lib/cli/predict_command.ts. */
import { predictCommand } from "../lib/cli/predict_command.ts";

if (import.meta.main) Deno.exit(await predictCommand(Deno.args));
