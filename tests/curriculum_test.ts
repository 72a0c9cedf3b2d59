/**
 * The exercise kit's tools: the curriculum file, `deno task check`,
 * `progress`, `hint`, `reset`, and `train --impl`'s helpers.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../lib/kit/check.ts";
import { parseJunit } from "../lib/kit/check_run.ts";
import {
  type Curriculum,
  findExercise,
  findTodos,
  loadCurriculum,
  REPO_ROOT,
  solutionPath,
  stubPath,
  taskOfTest,
  validateCurriculum,
} from "../lib/kit/curriculum.ts";
import { hintText } from "../lib/kit/hint.ts";
import { runScript } from "./helpers/cli.ts";
import { computeProgress, formatProgress } from "../lib/kit/progress.ts";
import { resetExercise } from "../lib/kit/reset.ts";
import { KitError } from "../lib/base/errors.ts";
import {
  flagGiven,
  ignoredFlags,
  type ImplConfig,
  implConfig,
  unfinishedLines,
} from "../lib/cli/impl.ts";
import { parseTrainArgs, type TrainOptions } from "../lib/cli/train_args.ts";

const curriculum = await loadCurriculum();

Deno.test("curriculum.json: 12 exercises in order, each folder holding its README, stub and tests", async () => {
  assert.equal(curriculum.exercises.length, 12);
  assert.deepEqual(
    curriculum.exercises.map((e) => e.id),
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
  );
  for (const exercise of curriculum.exercises) {
    for (
      const file of [
        `${exercise.folder}/README.md`,
        stubPath(exercise),
        solutionPath(exercise),
      ]
    ) {
      assert.ok(
        (await Deno.stat(join(REPO_ROOT, file))).isFile,
        `${file} is missing`,
      );
    }
    assert.ok(exercise.hints.length >= 2, `${exercise.id}: at least 2 hints`);
    assert.match(exercise.docs, /^https?:\/\//, `${exercise.id}: docs link`);
  }
});

Deno.test("validateCurriculum() names the exercise and field at fault", () => {
  const good = structuredClone(curriculum) as Curriculum;
  assert.doesNotThrow(() => validateCurriculum(good, "c.json"));
  const cases: [string, (c: Curriculum) => void, RegExp][] = [
    ["bad id", (c) => (c.exercises[0].id = "1"), /exercise 1 .*two digits/],
    [
      "task ids out of order",
      (c) => (c.exercises[2].tasks[1].id = "03.5"),
      /exercise 3 \(03\).*"03\.2"/,
    ],
    [
      "folder not matching id",
      (c) => (c.exercises[1].folder = "exercises/05_x"),
      /exercise 2 \(02\).*exercises\/02_topic/,
    ],
    ["no hints", (c) => (c.exercises[4].hints = []), /\(05\).*hints/],
    [
      "duplicate id",
      (c) => (c.exercises[5].id = "05"),
      /duplicate id 05|must increase/,
    ],
    ["no welcome", (c) => delete (c as Partial<Curriculum>).welcome, /welcome/],
  ];
  for (const [what, breakIt, pattern] of cases) {
    const broken = structuredClone(curriculum) as Curriculum;
    breakIt(broken);
    assert.throws(
      () => validateCurriculum(broken, "c.json"),
      (error: Error) => {
        assert.ok(error instanceof KitError, `${what}: a KitError`);
        assert.match(error.message, /^c\.json: /, `${what}: names the file`);
        assert.match(error.message, pattern, `${what}: ${error.message}`);
        return true;
      },
    );
  }
});

Deno.test("findExercise() accepts 3, 03 and a folder name, and lists ids when lost", () => {
  assert.equal(findExercise(curriculum, "3").id, "03");
  assert.equal(findExercise(curriculum, "03").id, "03");
  assert.equal(findExercise(curriculum, "03_linear").id, "03");
  assert.throws(
    () => findExercise(curriculum, "13"),
    (error: KitError) => /01, 02/.test(error.help ?? ""),
  );
});

Deno.test("findTodos() finds each stub throw with its task, function and line", () => {
  const source = [
    "export function a(): number {",
    '  throw new Error("TODO(03.1): implement a in exercises/03_linear/linear.ts");',
    "}",
    "// TODO(03.2): a comment is not a stub",
    "export function b(): number {",
    "  throw new Error(",
    '    "TODO(03.2): implement b in exercises/03_linear/linear.ts",',
    "  );",
    "}",
  ].join("\n");
  assert.deepEqual(findTodos(source), [
    {
      task: "03.1",
      fn: "a",
      file: "exercises/03_linear/linear.ts",
      line: 2,
    },
    {
      task: "03.2",
      fn: "b",
      file: "exercises/03_linear/linear.ts",
      line: 6,
    },
  ]);
  assert.equal(taskOfTest("03.2 linearBackward() gives ..."), "03.2");
  assert.equal(taskOfTest("linearBackward 03.2"), null);
});

Deno.test("solutions throw no TODO and import nothing from lib/ or solutions/", async () => {
  for (const exercise of curriculum.exercises) {
    const solution = await Deno.readTextFile(
      join(REPO_ROOT, solutionPath(exercise)),
    );
    assert.deepEqual(findTodos(solution), [], solutionPath(exercise));
    assert.doesNotMatch(
      solution,
      /from "(\.\.\/)+(lib|solutions)\//,
      `${solutionPath(exercise)} must build only on earlier exercises`,
    );
  }
});

Deno.test("parseJunit() reads names, outcomes and unescaped failure messages", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="3" failures="1" errors="0" time="0.004">
    <testsuite name="./exercises/01_tensors/tensors_test.ts" tests="3" disabled="1" errors="0" failures="1">
        <testcase name="01.1 a &amp; b" classname="./exercises/01_tensors/tensors_test.ts" time="0.000" line="2" col="6">
            <failure message="Uncaught Error: TODO(01.1): implement &quot;tensor&quot; &lt;here&gt;">Error: ...</failure>
        </testcase>
        <testcase name="01.2 ok" classname="./exercises/01_tensors/tensors_test.ts" time="0.000" line="5" col="6">
        </testcase>
        <testcase name="01.3 skip" classname="./exercises/01_tensors/tensors_test.ts" time="0.000" line="6" col="6">
            <skipped/>
        </testcase>
    </testsuite>
</testsuites>`;
  assert.deepEqual(parseJunit(xml), [
    {
      file: "./exercises/01_tensors/tensors_test.ts",
      name: "01.1 a & b",
      status: "failed",
      message: 'Uncaught Error: TODO(01.1): implement "tensor" <here>',
    },
    {
      file: "./exercises/01_tensors/tensors_test.ts",
      name: "01.2 ok",
      status: "passed",
      message: undefined,
    },
    {
      file: "./exercises/01_tensors/tensors_test.ts",
      name: "01.3 skip",
      status: "skipped",
      message: undefined,
    },
  ]);
});

Deno.test("computeProgress() marks tasks done, failing or to do, and finds the next one", () => {
  const file = (id: string) =>
    `./${findExercise(curriculum, id).folder}/x_test.ts`;
  const todos = new Map(
    curriculum.exercises.map((e) => [
      e.id,
      e.id <= "01" ? [] : e.tasks.map((t) => ({
        task: t.id,
        fn: "f",
        file: stubPath(e),
        line: 1,
      })),
    ]),
  );
  todos.set("02", [{ task: "02.3", fn: "f", file: "x", line: 9 }]);
  const cases = [
    ...["01.1", "01.2", "01.3", "01.4", "02.1"].map((t) => ({
      file: file(t.slice(0, 2)),
      name: `${t} works`,
      status: "passed" as const,
    })),
    {
      file: file("02"),
      name: "02.2 transposes",
      status: "failed" as const,
      message: "AssertionError: transpose: expected [3, 2], got [2, 3]",
    },
  ];
  const progress = computeProgress(curriculum, todos, cases);
  assert.equal(progress.doneExercises, 1);
  assert.equal(progress.doneTasks, 5);
  assert.equal(progress.totalTasks, 34);
  assert.deepEqual(
    progress.exercises[1].tasks.map((t) => t.state),
    ["done", "failing", "todo"],
  );
  assert.equal(progress.next?.task, "02.2");
  const text = formatProgress(curriculum, progress);
  assert.match(text, /1\/12 done \(5\/34 tasks\)/);
  assert.match(text, /✓ 01 Arrays and shapes +done /);
  assert.match(text, /✗ 02 .*02\.1 ✓ {2}02\.2 ✗ {2}02\.3 ·/);
  assert.match(text, /Next: 02\.2 /);
  assert.match(text, /deno test exercises\/02_matmul\/ --filter 02\.2/);
  assert.match(text, /deno task hint 02/);
  assert.match(text, /expected \[3, 2\], got \[2, 3\]/);
  assert.doesNotMatch(text, /Welcome/, "no welcome once something is done");
});

Deno.test("formatProgress() welcomes a new learner and congratulates a finished one", () => {
  const allTodo = new Map(
    curriculum.exercises.map((e) => [
      e.id,
      e.tasks.map((t) => ({ task: t.id, fn: "f", file: "x", line: 1 })),
    ]),
  );
  const start = formatProgress(
    curriculum,
    computeProgress(curriculum, allTodo, []),
  );
  assert.ok(start.startsWith(curriculum.welcome));
  assert.match(start, /0\/12 done \(0\/34 tasks\)/);
  assert.match(start, /Next: 01\.1/);
  const allPassing = curriculum.exercises.flatMap((e) =>
    e.tasks.map((t) => ({
      file: `./${e.folder}/x_test.ts`,
      name: `${t.id} passes`,
      status: "passed" as const,
    }))
  );
  const end = formatProgress(
    curriculum,
    computeProgress(curriculum, new Map(), allPassing),
  );
  assert.match(end, /12\/12 done \(34\/34 tasks\)/);
  assert.ok(end.includes(curriculum.final));
  assert.doesNotMatch(end, /Next:/);
});

Deno.test("hintText() shows one hint at a time, with the docs link first", () => {
  const exercise = findExercise(curriculum, "03");
  const first = hintText(exercise, 1);
  assert.match(first, /^Hint 1 of 3 for 03 The linear layer/);
  assert.ok(first.includes(exercise.hints[0]));
  assert.ok(first.includes(exercise.docs));
  const second = hintText(exercise, 2);
  assert.ok(second.includes(exercise.hints[1]));
  assert.ok(!second.includes(exercise.hints[0]), "only one hint at a time");
  assert.throws(() => hintText(exercise, 4), /hints 1 to 3, not 4/);
});

Deno.test("deno task hint 03 with a hint number that is not a decimal (abc, 0x2) names it, exit 2", async () => {
  for (const k of ["abc", "0x2"]) {
    const result = await runScript("tools/hint.ts", ["03", k]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      `error: exercise 03 has hints 1 to 3, not "${k}"\n`,
    );
  }
});

Deno.test("resetExercise() restores the stub and keeps the learner's file as a .bak", async () => {
  const root = await Deno.makeTempDir({ prefix: "reset_test_" });
  try {
    const exercise = findExercise(curriculum, "03");
    await Deno.mkdir(join(root, exercise.folder), { recursive: true });
    const file = join(root, stubPath(exercise));
    await Deno.writeTextFile(file, "my work\n");
    const result = await resetExercise(exercise, "the stub\n", {
      root,
      now: new Date("2026-01-02T03:04:05Z"),
    });
    assert.equal(await Deno.readTextFile(file), "the stub\n");
    assert.equal(
      result.backup,
      "exercises/03_linear/linear.ts.2026-01-02T03-04-05.bak",
    );
    assert.equal(
      await Deno.readTextFile(join(root, result.backup!)),
      "my work\n",
    );
    const again = await resetExercise(exercise, "the stub\n", { root });
    assert.deepEqual(again, {
      path: stubPath(exercise),
      backup: null,
      changed: false,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("train --impl: parsed with lib as the default, and a bad value refused", () => {
  const parsed = parseTrainArgs([]) as TrainOptions;
  assert.equal(parsed.impl, "lib");
  assert.equal(
    (parseTrainArgs(["--impl", "exercises"]) as TrainOptions).impl,
    "exercises",
  );
  assert.throws(
    () => parseTrainArgs(["--impl", "mine"]),
    /--impl: expected one of lib, exercises, solutions, got "mine"/,
  );
});

Deno.test("train --impl: flags given on the command line override MNIST_CONFIG, defaults do not", () => {
  const base: ImplConfig = {
    epochs: 4,
    batchSize: 64,
    lr: 0.05,
    lrMin: 0,
    schedule: "cosine",
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
    hidden: [128, 64],
    activation: "relu",
    seed: 1,
  };
  const args = [
    "--impl",
    "solutions",
    "--epochs=2",
    "--hidden",
    "32",
    "--no-nesterov",
  ];
  const config = implConfig(base, parseTrainArgs(args) as TrainOptions, args);
  assert.deepEqual(config, {
    ...base,
    epochs: 2,
    hidden: [32],
    nesterov: false,
  });
  assert.ok(flagGiven(["--lr", "1"], "lr"));
  assert.ok(!flagGiven(["--lr-min", "1"], "lr"));
});

Deno.test("train --impl: the flags MNIST_CONFIG has no field for are the ones noted as ignored", () => {
  const base = { epochs: 4, lr: 0.05 } as unknown as ImplConfig;
  const args = [
    "--lr=1",
    "--dtype",
    "f64",
    "--dropout",
    "0.2",
    "--optimizer=adam",
    "--kernels",
    "fast",
    "--quiet",
  ];
  assert.deepEqual(ignoredFlags(base, args), [
    "optimizer",
    "dropout",
    "dtype",
    "kernels",
  ]);
});

Deno.test("train --impl exercises refuses while a task of 01-11 is unfinished, listing it", async () => {
  const root = await Deno.makeTempDir({ prefix: "impl_test_" });
  try {
    await Deno.copyFile(
      join(REPO_ROOT, "curriculum.json"),
      join(root, "curriculum.json"),
    );
    for (const exercise of curriculum.exercises) {
      await Deno.mkdir(join(root, exercise.folder), { recursive: true });
      // Everything solved, except task 07.3 and one task of the optional 12.
      let text = await Deno.readTextFile(
        join(REPO_ROOT, solutionPath(exercise)),
      );
      if (["07", "12"].includes(exercise.id)) {
        const [task, fn] = exercise.id === "07"
          ? ["07.3", "mlpBackward"]
          : ["12.1", "matmulIjk"];
        text +=
          `\nfunction pending(): never {\n  throw new Error("TODO(${task}): implement ${fn} in ${
            stubPath(exercise)
          }");\n}\n`;
      }
      await Deno.writeTextFile(join(root, stubPath(exercise)), text);
    }
    assert.deepEqual(await unfinishedLines("exercises", root), [
      "  exercises/07_mlp/mlp.ts: 07.3 mlpBackward",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "deno task check fails on a broken kit, naming each problem",
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "check_test_" });
    try {
      for (const tree of ["exercises", "solutions"]) {
        await new Deno.Command("cp", {
          args: ["-r", join(REPO_ROOT, tree), join(root, tree)],
        }).output();
      }
      await Deno.copyFile(
        join(REPO_ROOT, "curriculum.json"),
        join(root, "curriculum.json"),
      );
      // 1. A solution with a bug.
      const sol = join(root, "solutions/01_tensors/tensors.ts");
      await Deno.writeTextFile(
        sol,
        (await Deno.readTextFile(sol)).replace(
          "out.data[i] = a.data[i] + b.data[i]",
          "out.data[i] = a.data[i] - b.data[i]",
        ),
      );
      // 2. A stub that no longer fails: transpose implemented in exercises/.
      const stub = join(root, "exercises/02_matmul/matmul.ts");
      const solved = await Deno.readTextFile(
        join(root, "solutions/02_matmul/matmul.ts"),
      );
      const body = /export function transpose[^]*?\n}\n/.exec(solved)![0];
      await Deno.writeTextFile(
        stub,
        (await Deno.readTextFile(stub)).replace(
          /export function transpose[^]*?\n}\n/,
          body,
        ),
      );
      // 3. A file in solutions/ with no counterpart in exercises/.
      await Deno.writeTextFile(
        join(root, "solutions/03_linear/extra.ts"),
        "export const x = 1;\n",
      );
      // 4. A README that forgets a task.
      const readme = join(root, "exercises/05_softmax/README.md");
      await Deno.writeTextFile(
        readme,
        (await Deno.readTextFile(readme)).replaceAll("05.2", "05.x"),
      );
      const result = await runCheck({ root, log: () => {}, parallel: 2 });
      assert.equal(result.ok, false);
      const all = result.problems.join("\n");
      assert.match(all, /solutions: "01\.3 add\(\)[^"]*" failed/);
      assert.match(
        all,
        /stub 02 .*"02\.2 transpose\(\)[^"]*" passed on the untouched stub/,
      );
      assert.match(
        all,
        /exercises\/02_matmul\/matmul\.ts: no function throws TODO\(02\.2\)/,
      );
      assert.match(all, /solutions\/03_linear\/extra\.ts: has no counterpart/);
      assert.match(
        all,
        /exercises\/05_softmax\/README\.md: never mentions task 05\.2/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "deno task check passes on the kit: every test passes on the solutions and fails on its stub",
  sanitizeResources: false,
  async fn() {
    const lines: string[] = [];
    const result = await runCheck({ log: (line) => lines.push(line) });
    assert.deepEqual(result.problems, [], lines.join("\n"));
    assert.equal(result.counts.exercises, 12);
    assert.equal(result.counts.tasks, 34);
    assert.ok(result.counts.tests >= 34, "at least one test per task");
    assert.equal(
      result.counts.passedOnSolutions + result.counts.skippedOnSolutions,
      result.counts.tests,
    );
    assert.equal(
      result.counts.failedOnStubs,
      result.counts.passedOnSolutions,
      "every test that passes on the solutions fails on its stub",
    );
    assert.ok(result.counts.bugs >= 96, `${result.counts.bugs} learner bugs`);
    assert.equal(
      result.counts.bugsCaught,
      result.counts.bugs,
      "every catalogued learner bug is caught",
    );
  },
});
