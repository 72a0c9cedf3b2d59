/** `deno task progress`: see lib/kit/progress.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { progressCommand } from "../lib/kit/progress.ts";
import { withoutArgs } from "../lib/kit/no_args.ts";

const USAGE =
  "deno task progress: each exercise and task done or to do, and the next one";

if (import.meta.main) {
  Deno.exit(
    await runGuarded(
      (args) => withoutArgs(args, USAGE, progressCommand),
      Deno.args,
    ),
  );
}
