/**
 * `deno task watch`, driven as a learner would: a subprocess whose stdin
 * answers its questions and whose exercise files are saved under it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const repo = new URL("../", import.meta.url).pathname;

/** A copy of the kit's exercises with exercise 01 already solved. */
async function scratchKit(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "watch_test_" });
  await new Deno.Command("cp", {
    args: ["-r", join(repo, "exercises"), join(root, "exercises")],
  }).output();
  await Deno.copyFile(
    join(repo, "curriculum.json"),
    join(root, "curriculum.json"),
  );
  await solve(root, "01_tensors/tensors.ts");
  return root;
}

async function solve(root: string, file: string): Promise<void> {
  await Deno.copyFile(
    join(repo, "solutions", file),
    join(root, "exercises", file),
  );
}

/** A running `deno task watch` whose output can be awaited. */
class Watcher {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<string>;
  output = "";

  constructor(root: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(repo, "tools/watch.ts"), "--root", root],
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
  }

  /**
   * Reads until the output after `from` matches, or fails after 60 s: the
   * timer kills the watcher, which ends a read that would otherwise block.
   * Returns where the match ends (not where the output ends: the next line
   * awaited may have come in the same chunk).
   */
  async waitFor(pattern: RegExp, from = 0): Promise<number> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.#child.kill();
    }, 60_000);
    try {
      let match;
      while (!(match = pattern.exec(this.output.slice(from)))) {
        const { value, done } = await this.#reader.read();
        if (done) {
          const why: string = timedOut
            ? "no output matched within 60 s"
            : "exited";
          assert.fail(`watch ${why} before ${pattern}:\n${this.output}`);
        }
        this.output += value;
      }
      return from + match.index + match[0].length;
    } finally {
      clearTimeout(timer);
    }
  }

  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(`${line}\n`));
  }

  async exit(): Promise<number> {
    await this.#stdin.close();
    while (!(await this.#reader.read()).done) { /* drain */ }
    const status = await this.#child.status;
    await this.#child.stderr.cancel();
    return status.code;
  }
}

Deno.test({
  name:
    "watch: a passing exercise asks before moving on; a save reruns the tests; the place is remembered; n stays",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await scratchKit();
    try {
      const first = new Watcher(root);
      await first.waitFor(/all 13 tests of exercise 01 pass/);
      await first.waitFor(/Move on to exercise 02 .*\? \[Y\/n\/q\]/);
      await first.type("y");
      let mark = await first.waitFor(
        /exercise 02 [^]*First failing test:\s+02\.1 matmul\(\)[^]*TODO\(02\.1\)[^]*hint\s+deno task hint 02[^]*waiting for a save/,
      );
      await solve(root, "02_matmul/matmul.ts");
      mark = await first.waitFor(
        /✓ 02\.3 [^]*all 7 tests of exercise 02 pass/,
        mark,
      );
      await first.waitFor(/Move on to exercise 03/, mark);
      await first.type("q");
      assert.equal(await first.exit(), 0);
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(join(root, ".kit_watch.json"))),
        { current: "02" },
      );

      const second = new Watcher(root);
      await second.waitFor(/Move on to exercise 03/);
      assert.match(
        second.output,
        /^exercise 02 /,
        "the second session starts at 02",
      );
      await second.type("n");
      await second.waitFor(/staying on exercise 02: waiting for a save/);
      await second.type("q");
      assert.equal(await second.exit(), 0);
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(join(root, ".kit_watch.json"))),
        { current: "02" },
        "answering n keeps the learner on 02",
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

async function runWatch(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(repo, "tools/watch.ts"), ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

for (
  const [name, curriculum] of [
    ["a broken curriculum.json is one line naming the file", "{ not json"],
    ["a folder without the kit is one line naming curriculum.json", null],
  ] as const
) {
  Deno.test(`watch: ${name}`, async () => {
    const root = await Deno.makeTempDir({ prefix: "watch_test_" });
    try {
      if (curriculum !== null) {
        await Deno.writeTextFile(join(root, "curriculum.json"), curriculum);
      }
      const { code, stderr } = await runWatch(["--root", root]);
      assert.equal(code, 1);
      assert.match(stderr, /^error: .*curriculum\.json: cannot read/);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("watch: an unknown flag is a usage error", async () => {
  const { code, stderr } = await runWatch(["--fast"]);
  assert.equal(code, 2);
  assert.match(stderr, /^error: .*--fast[^]*help: usage: deno task watch/);
});
