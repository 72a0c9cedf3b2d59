import assert from "node:assert/strict";
import { join } from "node:path";
import { applyBug, judgeBug, type LearnerBug, loadBugs } from "./bugs.ts";
import { checkBugs } from "./bugs_run.ts";
import { loadCurriculum, REPO_ROOT } from "./curriculum.ts";
import type { TestCase, TestRun } from "./check_run.ts";

const curriculum = await loadCurriculum(REPO_ROOT);
const softmax = curriculum.exercises.find((e) => e.id === "05")!;
const mlp = curriculum.exercises.find((e) => e.id === "07")!;

function bug(overrides: Partial<LearnerBug> = {}): LearnerBug {
  return {
    key: "05.example",
    exercise: softmax,
    file: "softmax.ts",
    edits: [{ find: "a + b", replace: "a - b" }],
    misconception: "adds by subtracting",
    fn: "crossEntropy",
    testedBy: softmax,
    ...overrides,
  };
}

const run: TestRun = { cases: [], code: 1, stderr: "", seconds: 0 };
const failed = (name: string, message: string): TestCase => ({
  file: "./bug0/exercises/05_softmax/softmax_test.ts",
  name,
  status: "failed",
  message,
});
const passed = (name: string): TestCase => ({
  file: "./bug0/exercises/05_softmax/softmax_test.ts",
  name,
  status: "passed",
});

Deno.test("applyBug replaces the find text once, keeping $ patterns literal", () => {
  const edited = applyBug(
    bug({ edits: [{ find: "a + b", replace: "a - b + $&" }] }),
    "x = a + b;",
  );
  assert.equal(edited, "x = a - b + $&;");
});

Deno.test("applyBug names the entry, the exercise and the file when the find text is gone", () => {
  const result = applyBug(bug(), "x = a * b;");
  assert.equal(typeof result, "object");
  assert.match(
    (result as { problem: string }).problem,
    /bug 05\.example \(exercise 05\).*"a \+ b" occurs 0 times in solutions\/05_softmax\/softmax\.ts/,
  );
});

Deno.test("applyBug refuses a find text that occurs twice", () => {
  const result = applyBug(bug(), "a + b; a + b;");
  assert.match((result as { problem: string }).problem, /occurs 2 times/);
});

Deno.test("judgeBug: a bug no test fails on is not caught", () => {
  const verdict = judgeBug(bug(), [passed("05.2 x"), passed("05.2 y")], run);
  assert.equal(verdict.caught, false);
  assert.match(verdict.problem!, /not caught: all 2 tests of exercise 05 pass/);
});

Deno.test("judgeBug: the first failure must name the function", () => {
  const verdict = judgeBug(bug(), [
    passed("05.1 softmax() ok"),
    failed("05.1 softmax() is stable", "AssertionError: NaN"),
    failed("05.2 crossEntropy() loss", "AssertionError: wrong"),
  ], run);
  assert.equal(verdict.caught, true);
  assert.match(verdict.problem!, /does not name crossEntropy/);
});

Deno.test("judgeBug: a later exercise's failure must name the exercise to revisit", () => {
  const later = bug({ testedBy: mlp });
  const vague = judgeBug(later, [
    failed("07.3 mlpBackward() gradient check", "crossEntropy is off"),
  ], run);
  assert.match(vague.problem!, /does not say to revisit exercise 05/);
  const named = judgeBug(later, [
    failed(
      "07.3 mlpBackward() gradient check",
      "exercise 05 crossEntropy returns a wrong dLogits here",
    ),
  ], run);
  assert.deepEqual(named, { caught: true });
});

Deno.test("judgeBug: tests that did not run are a problem, not a catch", () => {
  const verdict = judgeBug(bug(), [], run);
  assert.equal(verdict.caught, false);
  assert.match(verdict.problem!, /did not run/);
});

/** A scratch repository with the real kit and a catalogue of our own. */
async function scratchKit(catalogue: unknown): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "bugs_test_" });
  for (const tree of ["exercises", "solutions"]) {
    await new Deno.Command("cp", {
      args: ["-r", join(REPO_ROOT, tree), join(root, tree)],
    }).output();
  }
  await Deno.copyFile(
    join(REPO_ROOT, "curriculum.json"),
    join(root, "curriculum.json"),
  );
  await Deno.mkdir(join(root, "lib/kit/bugs"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "lib/kit/bugs/02.json"),
    JSON.stringify(catalogue),
  );
  return root;
}

Deno.test({
  name:
    "checkBugs counts a caught bug, and reports a harmless edit and a stale entry by name",
  sanitizeResources: false,
  async fn() {
    const root = await scratchKit({
      exercise: "02",
      bugs: [
        {
          id: "sum-rows-mean",
          function: "sumRows",
          misconception: "averages instead of summing",
          find: "out.data[j] += a.data[i * m + j];",
          replace: "out.data[j] += a.data[i * m + j] / n;",
        },
        {
          id: "harmless",
          function: "transpose",
          misconception: "a comment, not a bug",
          find: "const t = zeros([m, n]);",
          replace: "const t = zeros([m, n]); // same",
        },
        {
          id: "stale",
          function: "matmul",
          misconception: "an edit of code that is gone",
          find: "this text is not in the solution",
          replace: "",
        },
      ],
    });
    try {
      const report = await checkBugs(curriculum, root, 2);
      assert.equal(report.total, 3);
      assert.equal(report.caught, 1);
      const all = report.problems.join("\n");
      assert.match(all, /bug 02\.harmless .*not caught/);
      assert.match(
        all,
        /bug 02\.stale \(exercise 02\): its edit no longer applies/,
      );
      assert.equal(report.problems.length, 2, all);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "checkBugs gives up on a bug that loops forever, saying it timed out",
  sanitizeResources: false,
  async fn() {
    const root = await scratchKit({
      exercise: "02",
      bugs: [{
        id: "endless",
        function: "sumRows",
        misconception: "a loop that never ends",
        find: "const out = zeros([m]);",
        replace: "const out = zeros([m]);\n  while (out) out.data[0] += 0;",
      }],
    });
    try {
      const report = await checkBugs(curriculum, root, 2, 2);
      assert.equal(report.caught, 0);
      assert.match(
        report.problems.join("\n"),
        /bug 02\.endless .*did not run .*timed out after 2 s/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("loadBugs reports a malformed entry naming the file, and a missing file as no bugs", async () => {
  const root = await scratchKit({
    exercise: "02",
    bugs: [{ id: "x", function: "matmul" }],
  });
  try {
    const { bugs, problems } = await loadBugs(curriculum, root);
    assert.equal(bugs.length, 0);
    assert.deepEqual(problems.length, 1);
    assert.match(
      problems[0],
      /lib\/kit\/bugs\/02\.json: entry "x" \(exercise 02\): needs/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the catalogue holds at least 8 bugs for each of exercises 01-10 and 12, and 96 in all", async () => {
  const { bugs, problems } = await loadBugs(curriculum, REPO_ROOT);
  assert.deepEqual(problems, []);
  for (const exercise of curriculum.exercises) {
    if (exercise.id === "11") continue;
    const mine = bugs.filter((b) => b.exercise === exercise).length;
    assert.ok(mine >= 8, `exercise ${exercise.id}: ${mine} bugs, expected ≥ 8`);
  }
  assert.ok(bugs.length >= 96, `${bugs.length} bugs, expected ≥ 96`);
});
