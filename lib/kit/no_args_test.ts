import assert from "node:assert/strict";
import { withoutArgs } from "./no_args.ts";

async function run(args: string[]) {
  let ran = false;
  const printed: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (line: string) => printed.push(`out: ${line}`);
  console.error = (line: string) => printed.push(`err: ${line}`);
  try {
    const code = await withoutArgs(args, "deno task x", () => {
      ran = true;
      return Promise.resolve(7);
    });
    return { code, ran, printed };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("withoutArgs runs the command when there are no arguments", async () => {
  assert.deepEqual(await run([]), { code: 7, ran: true, printed: [] });
});

Deno.test("withoutArgs prints the usage for --help and -h without running", async () => {
  for (const flag of ["--help", "-h"]) {
    assert.deepEqual(await run([flag]), {
      code: 0,
      ran: false,
      printed: ["out: deno task x"],
    });
  }
});

Deno.test("withoutArgs refuses any other argument with a usage error naming it", async () => {
  const { code, ran, printed } = await run(["--fast", "1"]);
  assert.equal(code, 2);
  assert.equal(ran, false);
  assert.deepEqual(printed, [
    "err: error: unexpected argument --fast\nhelp: usage: deno task x",
  ]);
});
