/**
 * Proves the learner-bug catalogue: each bug gets its own scratch copy of
 * `exercises/` with every stub replaced by its solution and the one edit
 * applied, and a single `deno test --parallel` process runs all the copies'
 * tests, so the cost is one Deno start-up plus the tests themselves.
 *
 * @module
 */

import { join } from "node:path";
import { type Curriculum, solutionPath } from "./curriculum.ts";
import { runDenoTests } from "./check_run.ts";
import { applyBug, judgeBug, type LearnerBug, loadBugs } from "./bugs.ts";

/** A bug that makes a test loop forever must not hang CI (today's run: 25-40 s). */
const TIMEOUT_SECONDS = 600;

/** What the catalogue check found. */
export interface BugReport {
  /** Bugs whose tests failed. */
  caught: number;
  /** Bugs in the catalogue. */
  total: number;
  /** Per exercise id: caught and total. */
  perExercise: Map<string, { caught: number; total: number }>;
  /** One line per broken rule. */
  problems: string[];
  /** Wall time of the test run, in seconds. */
  seconds: number;
}

/** Every solution file, by its stub-tree path (`exercises/03_linear/linear.ts`). */
async function solutionFiles(
  curriculum: Curriculum,
  root: string,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  files.set(
    "exercises/testing.ts",
    await Deno.readTextFile(join(root, "exercises/testing.ts")),
  );
  for (const exercise of curriculum.exercises) {
    const folder = solutionPath(exercise).replace(/\/[^/]+$/, "");
    // A missing folder is the layout rule's problem; its bugs report "no file".
    const entries = await Array.fromAsync(Deno.readDir(join(root, folder)))
      .catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      files.set(
        `${exercise.folder}/${entry.name}`,
        await Deno.readTextFile(join(root, folder, entry.name)),
      );
    }
  }
  return files;
}

async function testFilesOf(folder: string, root: string): Promise<string[]> {
  const entries = await Array.fromAsync(Deno.readDir(join(root, folder)))
    .catch(() => []);
  return entries.filter((e) => e.isFile && e.name.endsWith("_test.ts"))
    .map((e) => `${folder}/${e.name}`).sort();
}

/** Writes one bug's scratch tree; returns its test files, or a problem. */
async function writeScratch(
  bug: LearnerBug,
  dir: string,
  base: Map<string, string>,
  root: string,
): Promise<string[] | string> {
  const target = `${bug.exercise.folder}/${bug.file}`;
  const original = base.get(target);
  if (original === undefined) {
    return `bug ${bug.key}: no file ${
      target.replace(/^exercises\//, "solutions/")
    }`;
  }
  const edited = applyBug(bug, original);
  if (typeof edited !== "string") return edited.problem;
  const tests = await testFilesOf(bug.testedBy.folder, root);
  const files = new Map(base);
  files.set(target, edited);
  for (const test of tests) {
    files.set(test, await Deno.readTextFile(join(root, test)));
  }
  for (const [path, content] of files) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), content);
  }
  return tests.map((t) => join(dir, t));
}

function tally(
  report: BugReport,
  bug: LearnerBug,
  caught: boolean,
  problem?: string,
): void {
  const mine = report.perExercise.get(bug.exercise.id) ??
    { caught: 0, total: 0 };
  mine.total++;
  if (caught) mine.caught++;
  report.perExercise.set(bug.exercise.id, mine);
  report.total++;
  if (caught) report.caught++;
  if (problem) report.problems.push(problem);
}

/**
 * Applies every catalogued bug in its own scratch copy and runs the tests
 * that must catch it.
 *
 * @param curriculum The curriculum.
 * @param root The repository.
 * @param parallel How many test files Deno runs at once.
 * @param timeoutSeconds When to give up on a run that hangs.
 * @returns Counts and problems; every bug not caught, or caught with a
 * first failure that names the wrong function, is a problem.
 */
export async function checkBugs(
  curriculum: Curriculum,
  root: string,
  parallel = 2,
  timeoutSeconds = TIMEOUT_SECONDS,
): Promise<BugReport> {
  const { bugs, problems } = await loadBugs(curriculum, root);
  const report: BugReport = {
    caught: 0,
    total: 0,
    perExercise: new Map(),
    problems,
    seconds: 0,
  };
  if (bugs.length === 0) return report;
  const tmp = await Deno.makeTempDir({ prefix: "kit_bugs_" });
  try {
    const base = await solutionFiles(curriculum, root);
    const runnable: { bug: LearnerBug; dir: string; tests: string[] }[] = [];
    for (const [i, bug] of bugs.entries()) {
      const dir = `bug${i}`;
      const tests = await writeScratch(bug, join(tmp, dir), base, root);
      if (typeof tests === "string") tally(report, bug, false, tests);
      else runnable.push({ bug, dir, tests });
    }
    const run = await runDenoTests(runnable.flatMap((r) => r.tests), {
      cwd: tmp,
      typeCheck: false,
      parallel,
      timeoutSeconds,
    });
    report.seconds = run.seconds;
    for (const { bug, dir } of runnable) {
      // Deno names the files relative to the scratch folder: ./bug7/...
      const cases = run.cases.filter((c) => c.file.includes(`/${dir}/`));
      const verdict = judgeBug(bug, cases, run);
      tally(report, bug, verdict.caught, verdict.problem);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  return report;
}
