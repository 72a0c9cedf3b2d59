/** `deno task check`: see lib/kit/check.ts. */
import { runGuarded } from "../lib/cli/guard.ts";
import { checkCommand } from "../lib/kit/check.ts";
import { withoutArgs } from "../lib/kit/no_args.ts";

const USAGE =
  "deno task check: proves the exercise kit sound (stubs fail, solutions pass, every catalogued learner bug caught)";

if (import.meta.main) {
  Deno.exit(
    await runGuarded(
      (args) => withoutArgs(args, USAGE, checkCommand),
      Deno.args,
    ),
  );
}
