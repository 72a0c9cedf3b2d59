/**
 * `deno task check`: proves the exercise kit sound.
 *
 * 1. Layout: every exercise in `curriculum.json` has its folder, README,
 *    stub and tests; `solutions/` mirrors `exercises/` file for file (the
 *    stub's counterpart holds the answer, any other file is identical);
 *    each stub throws `TODO(NN.k)` for exactly its exercise's tasks, and
 *    the solutions throw none.
 * 2. Stubs and tests type-check as shipped.
 * 3. Solutions: every exercise's tests, run with an import map that puts
 *    each solution where its stub was, type-check and pass; every task has
 *    a test and every test is named after a task of its exercise.
 * 4. Stubs: for each exercise, its tests run against its untouched stub
 *    (every other exercise mapped to its solution, as for a learner who
 *    finished the earlier ones), and every test fails with that stub's own
 *    `TODO(NN.k)` error, not a crash elsewhere.
 * 5. Learner bugs: every entry of the catalogue (`lib/kit/bugs/NN.json`,
 *    see `bugs.ts`) still applies to its solution and is caught by the
 *    tests, the first failure naming the function (and, when a later
 *    exercise's tests catch it, the exercise to revisit).
 *
 * @module
 */

import { join } from "node:path";
import {
  type Curriculum,
  type Exercise,
  findTodos,
  loadCurriculum,
  REPO_ROOT,
  solutionPath,
  stubPath,
  taskOfTest,
  TODO_ERROR,
} from "./curriculum.ts";
import { checkBugs } from "./bugs_run.ts";
import {
  crashLines,
  inParallel,
  runDeno,
  runDenoCheck,
  runDenoTests,
  type TestCase,
  type TestRun,
} from "./check_run.ts";

/** The outcome of a check. */
export interface CheckResult {
  /** Whether every rule held. */
  ok: boolean;
  /** Every broken rule, one line each, naming the file or test. */
  problems: string[];
  /** Counts for the summary. */
  counts: {
    exercises: number;
    tasks: number;
    tests: number;
    passedOnSolutions: number;
    skippedOnSolutions: number;
    failedOnStubs: number;
    /** Bugs in the learner-bug catalogue. */
    bugs: number;
    /** Of those, how many the exercise tests caught. */
    bugsCaught: number;
  };
}

/** Options for {@link runCheck}. */
export interface CheckOptions {
  /** The repository; default {@link REPO_ROOT}. */
  root?: string;
  /** Where progress lines go; default `console.log`. */
  log?: (line: string) => void;
  /** How many `deno test` processes (or test files) at once; default 2. */
  parallel?: number;
  /** Prove the learner-bug catalogue (rule 5); default true. */
  bugs?: boolean;
}

async function listTs(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".ts")) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function listFolders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) names.push(entry.name);
  }
  return names.sort();
}

/** Numbered folders in exercises/ or solutions/ that the curriculum lacks. */
async function checkOrphanFolders(
  curriculum: Curriculum,
  root: string,
  problems: string[],
): Promise<void> {
  const known = new Set(curriculum.exercises.map((e) => e.folder));
  for (const tree of ["exercises", "solutions"]) {
    for (const folder of await listFolders(join(root, tree))) {
      if (/^\d\d_/.test(folder) && !known.has(`exercises/${folder}`)) {
        problems.push(
          `${tree}/${folder}/: not in curriculum.json (add it, or remove the folder)`,
        );
      }
    }
  }
}

/** The README names every task. */
async function checkReadme(
  exercise: Exercise,
  root: string,
  problems: string[],
): Promise<void> {
  const rel = exercise.folder;
  if (!(await exists(join(root, rel, "README.md")))) {
    problems.push(`${rel}/README.md: missing`);
    return;
  }
  const readme = await Deno.readTextFile(join(root, rel, "README.md"));
  for (const task of exercise.tasks) {
    if (!readme.includes(task.id)) {
      problems.push(`${rel}/README.md: never mentions task ${task.id}`);
    }
  }
}

/** solutions/NN_x/ holds the same .ts files; only the stub may differ. */
async function checkMirror(
  exercise: Exercise,
  root: string,
  sources: string[],
  problems: string[],
): Promise<string[]> {
  const rel = exercise.folder;
  const solutionRel = rel.replace(/^exercises\//, "solutions/");
  const solutionSources = await listTs(join(root, solutionRel));
  for (const name of sources) {
    if (!solutionSources.includes(name)) {
      problems.push(
        `${solutionRel}/${name}: missing (solutions/ must mirror exercises/)`,
      );
    } else if (name !== exercise.file) {
      const [a, b] = await Promise.all([
        Deno.readTextFile(join(root, rel, name)),
        Deno.readTextFile(join(root, solutionRel, name)),
      ]);
      if (a !== b) {
        problems.push(
          `${solutionRel}/${name}: differs from ${rel}/${name}; only the stub (${exercise.file}) may differ`,
        );
      }
    }
  }
  for (const name of solutionSources) {
    if (!sources.includes(name)) {
      problems.push(
        `${solutionRel}/${name}: has no counterpart in ${rel}/ (solutions/ must mirror exercises/)`,
      );
    }
  }
  return solutionSources;
}

/** The stub throws its tasks' TODOs; the solution throws none. */
async function checkTodos(
  exercise: Exercise,
  root: string,
  present: { stub: boolean; solution: boolean },
  problems: string[],
): Promise<void> {
  if (present.stub) {
    checkStubTodos(
      exercise,
      await Deno.readTextFile(join(root, stubPath(exercise))),
      problems,
    );
  }
  if (!present.solution) return;
  const solution = await Deno.readTextFile(join(root, solutionPath(exercise)));
  for (const todo of findTodos(solution)) {
    problems.push(
      `${solutionPath(exercise)}:${todo.line}: still throws TODO(${todo.task})`,
    );
  }
}

/** Rule 1: folders, files, the mirror, the TODOs; returns each exercise's tests. */
async function checkLayout(
  curriculum: Curriculum,
  root: string,
  problems: string[],
): Promise<Map<string, string[]>> {
  const testFiles = new Map<string, string[]>();
  await checkOrphanFolders(curriculum, root, problems);
  for (const exercise of curriculum.exercises) {
    const rel = exercise.folder;
    if (!(await exists(join(root, rel)))) {
      problems.push(`${rel}/: missing`);
      continue;
    }
    const files = await listTs(join(root, rel));
    const tests = files.filter((f) => f.endsWith("_test.ts"));
    const sources = files.filter((f) => !f.endsWith("_test.ts"));
    testFiles.set(exercise.id, tests.map((f) => `${rel}/${f}`));
    if (tests.length === 0) problems.push(`${rel}/: no *_test.ts file`);
    await checkReadme(exercise, root, problems);
    if (!sources.includes(exercise.file)) {
      problems.push(`${stubPath(exercise)}: missing (curriculum.json "file")`);
    }
    const solutionSources = await checkMirror(
      exercise,
      root,
      sources,
      problems,
    );
    await checkTodos(exercise, root, {
      stub: sources.includes(exercise.file),
      solution: solutionSources.includes(exercise.file),
    }, problems);
  }
  return testFiles;
}

function checkStubTodos(
  exercise: Exercise,
  stub: string,
  problems: string[],
): void {
  const path = stubPath(exercise);
  const todos = findTodos(stub);
  const ids = new Set(exercise.tasks.map((t) => t.id));
  for (const task of exercise.tasks) {
    if (!todos.some((t) => t.task === task.id)) {
      problems.push(`${path}: no function throws TODO(${task.id})`);
    }
  }
  for (const todo of todos) {
    if (!ids.has(todo.task)) {
      problems.push(
        `${path}:${todo.line}: TODO(${todo.task}) is not a task of exercise ${exercise.id}`,
      );
    }
    if (todo.file !== path) {
      problems.push(
        `${path}:${todo.line}: the TODO message names ${todo.file}, expected ${path}`,
      );
    }
  }
}

/** An import map putting each solution in its stub's place, except `keep`. */
async function writeImportMap(
  curriculum: Curriculum,
  root: string,
  dir: string,
  keep: string | null,
): Promise<string> {
  const imports: Record<string, string> = {};
  for (const exercise of curriculum.exercises) {
    if (exercise.id === keep) continue;
    imports[new URL(`file://${join(root, stubPath(exercise))}`).href] =
      new URL(`file://${join(root, solutionPath(exercise))}`).href;
  }
  const path = join(dir, `import_map_${keep ?? "solutions"}.json`);
  await Deno.writeTextFile(path, JSON.stringify({ imports }, null, 1));
  return path;
}

function firstLines(text: string): string {
  return text.split("\n").filter((l) => l.trim() !== "").slice(0, 6).join(
    " | ",
  );
}

function crashSummary(run: TestRun): string {
  return crashLines(run.stderr, 6).join(" | ");
}

/** Rule 3: every test passes on the solutions. */
function judgeSolutions(
  curriculum: Curriculum,
  run: TestRun,
  problems: string[],
): void {
  if (run.code !== 0 && run.cases.every((c) => c.status !== "failed")) {
    problems.push(
      `solutions: deno test exited with ${run.code}: ${crashSummary(run)}`,
    );
  }
  for (const c of run.cases) {
    if (c.status === "failed") {
      problems.push(`solutions: "${c.name}" failed: ${c.message}`);
    }
  }
  for (const exercise of curriculum.exercises) {
    const mine = run.cases.filter((c) =>
      c.file.includes(`/${exercise.folder}/`)
    );
    for (const c of mine) {
      const task = taskOfTest(c.name);
      if (task === null || !exercise.tasks.some((t) => t.id === task)) {
        problems.push(
          `${c.file}: test "${c.name}" must start with a task id of exercise ${exercise.id} (${
            exercise.tasks.map((t) => t.id).join(", ")
          })`,
        );
      }
    }
    for (const task of exercise.tasks) {
      if (!mine.some((c) => taskOfTest(c.name) === task.id)) {
        problems.push(
          `${exercise.folder}: no test for task ${task.id} (name one "${task.id} ...")`,
        );
      }
    }
  }
}

/** Rule 4: every test fails on its exercise's stub, with its own TODO. */
function judgeStub(
  exercise: Exercise,
  run: TestRun,
  expected: TestCase[],
  problems: string[],
): number {
  const where = `stub ${exercise.id} (${stubPath(exercise)})`;
  let failed = 0;
  for (const want of expected) {
    const got = run.cases.find((c) =>
      c.file === want.file && c.name === want.name
    );
    if (!got) {
      problems.push(
        `${where}: "${want.name}" did not run: ${
          crashSummary(run) || `exit code ${run.code}`
        }`,
      );
      continue;
    }
    if (got.status === "skipped" && want.status === "skipped") continue;
    if (got.status !== "failed") {
      problems.push(
        `${where}: "${got.name}" ${got.status} on the untouched stub; every test must fail until the task is done`,
      );
      continue;
    }
    const todo = TODO_ERROR.exec(got.message ?? "");
    if (!todo || !todo[1].startsWith(`${exercise.id}.`)) {
      problems.push(
        `${where}: "${got.name}" failed with "${
          (got.message ?? "").split("\n")[0]
        }", not with the stub's own TODO(${exercise.id}.k) error`,
      );
      continue;
    }
    failed++;
  }
  return failed;
}

type Log = (line: string) => void;

/** Rule 2 and tidiness: stubs and tests type-check; fmt and lint clean. */
async function checkTools(
  root: string,
  paths: string[],
  log: Log,
  problems: string[],
): Promise<void> {
  const typeCheck = await runDenoCheck(paths, root);
  if (typeCheck.code !== 0) {
    problems.push(
      `stubs and tests do not type-check as shipped: ${
        typeCheck.stderr.split("\n").filter((l) => l.trim()).slice(0, 8).join(
          " | ",
        )
      }`,
    );
  }
  log(`type check stubs and tests ${typeCheck.code === 0 ? "ok" : "FAILED"}`);
  const trees = ["exercises/", "solutions/"];
  for (
    const [what, args] of [
      ["formatted", ["fmt", "--check", "--quiet", ...trees]],
      ["lint-clean", ["lint", "--quiet", ...trees]],
    ] as const
  ) {
    const tool = await runDeno([...args], root);
    if (tool.code !== 0) {
      problems.push(
        `exercises/ and solutions/ are not ${what} (run \`deno ${
          args[0]
        } exercises/ solutions/\`): ${firstLines(tool.stderr)}`,
      );
    }
    log(`${what.padEnd(10)} ${tool.code === 0 ? "ok" : "FAILED"}`);
  }
}

/** Rule 3: the tests on the solutions; returns the run for rule 4. */
async function checkSolutions(
  curriculum: Curriculum,
  root: string,
  tmp: string,
  allTests: string[],
  result: CheckResult,
  log: Log,
): Promise<TestRun> {
  const run = await runDenoTests(allTests, {
    cwd: root,
    importMap: await writeImportMap(curriculum, root, tmp, null),
  });
  judgeSolutions(curriculum, run, result.problems);
  const counts = result.counts;
  counts.tests = run.cases.length;
  counts.passedOnSolutions = run.cases.filter((c) => c.status === "passed")
    .length;
  counts.skippedOnSolutions = run.cases.filter((c) => c.status === "skipped")
    .length;
  log(
    `solutions  ${counts.passedOnSolutions}/${counts.tests} tests pass` +
      (counts.skippedOnSolutions
        ? ` (${counts.skippedOnSolutions} skipped)`
        : "") +
      ` in ${run.seconds.toFixed(1)} s`,
  );
  return run;
}

/** Rule 4: each exercise's tests on its untouched stub. */
async function checkStubs(
  curriculum: Curriculum,
  root: string,
  tmp: string,
  testFiles: Map<string, string[]>,
  solutionsRun: TestRun,
  result: CheckResult,
  options: { log: Log; parallel: number },
): Promise<void> {
  const jobs = curriculum.exercises.map((exercise) => async () => {
    const run = await runDenoTests(testFiles.get(exercise.id) ?? [], {
      cwd: root,
      importMap: await writeImportMap(curriculum, root, tmp, exercise.id),
      typeCheck: false,
    });
    const expected = solutionsRun.cases.filter((c) =>
      c.file.includes(`/${exercise.folder}/`)
    );
    const mine: string[] = [];
    const failed = judgeStub(exercise, run, expected, mine);
    return { exercise, failed, expected: expected.length, mine, run };
  });
  for (
    const { exercise, failed, expected, mine, run } of await inParallel(
      jobs,
      options.parallel,
    )
  ) {
    result.problems.push(...mine);
    result.counts.failedOnStubs += failed;
    options.log(
      `stub ${exercise.id}    ${failed}/${expected} tests fail with TODO(${exercise.id}.k)` +
        ` in ${run.seconds.toFixed(1)} s${mine.length ? "  <- problems" : ""}`,
    );
  }
}

/** Rule 5: every catalogued learner bug is caught by its exercise's tests. */
async function checkCatalogue(
  curriculum: Curriculum,
  root: string,
  result: CheckResult,
  options: { log: Log; parallel: number },
): Promise<void> {
  const report = await checkBugs(curriculum, root, options.parallel);
  result.problems.push(...report.problems);
  result.counts.bugs = report.total;
  result.counts.bugsCaught = report.caught;
  for (const [id, { caught, total }] of report.perExercise) {
    options.log(`bugs ${id}    ${caught}/${total} caught`);
  }
  options.log(
    `learner bugs: ${report.caught} of ${report.total} caught` +
      ` in ${report.seconds.toFixed(1)} s`,
  );
}

/**
 * Runs every rule.
 *
 * @param options The repository, where to log, parallelism.
 * @returns What held and what did not.
 */
export async function runCheck(options: CheckOptions = {}): Promise<
  CheckResult
> {
  const root = options.root ?? REPO_ROOT;
  const log = options.log ?? ((line: string) => console.log(line));
  const parallel = options.parallel ?? 2;
  const curriculum = await loadCurriculum(root);
  const result: CheckResult = {
    ok: false,
    problems: [],
    counts: {
      exercises: curriculum.exercises.length,
      tasks: curriculum.exercises.reduce((n, e) => n + e.tasks.length, 0),
      tests: 0,
      passedOnSolutions: 0,
      skippedOnSolutions: 0,
      failedOnStubs: 0,
      bugs: 0,
      bugsCaught: 0,
    },
  };
  const problems = result.problems;
  const testFiles = await checkLayout(curriculum, root, problems);
  log(
    `layout     ${result.counts.exercises} exercises, ${result.counts.tasks} tasks; solutions/ mirrors exercises/` +
      (problems.length ? ` (${problems.length} problems)` : ""),
  );
  const allTests = [...testFiles.values()].flat();
  const stubs = curriculum.exercises.map(stubPath);
  await checkTools(root, [...stubs, ...allTests], log, problems);
  const tmp = await Deno.makeTempDir({ prefix: "kit_check_" });
  try {
    const run = await checkSolutions(
      curriculum,
      root,
      tmp,
      allTests,
      result,
      log,
    );
    await checkStubs(curriculum, root, tmp, testFiles, run, result, {
      log,
      parallel,
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  if (options.bugs !== false) {
    await checkCatalogue(curriculum, root, result, { log, parallel });
  }
  result.ok = problems.length === 0;
  return result;
}

/**
 * The `deno task check` command.
 *
 * @returns The exit code: 0 when the kit is sound, 1 otherwise.
 */
export async function checkCommand(): Promise<number> {
  const result = await runCheck();
  const c = result.counts;
  if (!result.ok) {
    console.log("");
    for (const problem of result.problems) console.log(`problem: ${problem}`);
    console.log(
      `FAIL ${result.problems.length} problem(s) in the exercise kit`,
    );
    return 1;
  }
  console.log(
    `PASS ${c.exercises} exercises, ${c.tasks} tasks: ${c.passedOnSolutions} tests pass on the solutions` +
      (c.skippedOnSolutions ? ` (${c.skippedOnSolutions} skipped)` : "") +
      ` and ${c.failedOnStubs} fail on the stubs, each with its own TODO;` +
      ` learner bugs: ${c.bugsCaught} of ${c.bugs} caught`,
  );
  return 0;
}
