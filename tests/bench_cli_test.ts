import assert from "node:assert/strict";
import { runScript } from "./helpers/cli.ts";

Deno.test("deno task bench --help prints every flag and exits 0, running nothing", async () => {
  const { code, stdout, stderr } = await runScript("bench/bench.ts", [
    "--help",
  ]);
  assert.equal(code, 0, stderr);
  for (
    const flag of ["--max-epochs", "--no-peers", "--full-batch", "--out"]
  ) {
    assert.ok(stdout.includes(flag), flag);
  }
  assert.doesNotMatch(stdout, /s\/epoch/);
});

Deno.test("bench: an unknown flag or a bad --max-epochs is a one-line error with exit 2", async () => {
  for (
    const [args, message] of [
      [["--bogus"], /^error: Unknown option '--bogus'$/m],
      [["--max-epochs", "2"], /^error: --max-epochs must be .* got 2$/m],
      [["--max-epochs", "x"], /^error: --max-epochs must be .* got x$/m],
    ] as const
  ) {
    const { code, stderr } = await runScript("bench/bench.ts", [...args]);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, message);
    assert.match(stderr, /^help: deno task bench /m);
    assert.doesNotMatch(stderr, /\n\s+at /);
  }
});
