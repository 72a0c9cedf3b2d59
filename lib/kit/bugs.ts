/**
 * The catalogue of learner bugs: per exercise, small edits of the reference
 * solution that stand for a real misconception ("dBias averaged over the
 * batch instead of summed"). `deno task check` applies each one in a scratch
 * copy and requires the exercise's tests to catch it, with the first failure
 * naming the function (and, for a bug caught by a later exercise's tests,
 * the exercise to revisit).
 *
 * The catalogue lives in `lib/kit/bugs/NN.json`, one file per exercise:
 * `{"exercise": "05", "bugs": [{"id", "function", "misconception", "find",
 * "replace"}]}`; optional `"file"` (another file of the solution folder),
 * `"edits"` (several `{find, replace}` pairs instead of one) and `"tests"`
 * (the id of a later exercise whose tests must catch it).
 *
 * @module
 */

import { join } from "node:path";
import { type Curriculum, type Exercise, findExercise } from "./curriculum.ts";
import { crashLines, type TestCase, type TestRun } from "./check_run.ts";

/** One find/replace edit; `find` must occur exactly once in the file. */
export interface BugEdit {
  /** Text of the reference solution, exactly. */
  find: string;
  /** What the learner wrote instead. */
  replace: string;
}

/** One catalogued learner bug. */
export interface LearnerBug {
  /** `"05.dlogits-not-averaged"`: exercise id and the entry's own id. */
  key: string;
  /** The exercise whose solution is edited. */
  exercise: Exercise;
  /** The solution file edited, relative to its folder (`softmax.ts`). */
  file: string;
  /** The edits, applied in order. */
  edits: BugEdit[];
  /** The misconception, one line. */
  misconception: string;
  /** The function the first failing test must name. */
  fn: string;
  /** The exercise whose tests must catch it (usually `exercise`). */
  testedBy: Exercise;
}

/** The catalogue's folder, relative to the repository. */
export const BUGS_DIR = "lib/kit/bugs";

function text(entry: Record<string, unknown>, key: string): string | null {
  return typeof entry[key] === "string" && entry[key] !== ""
    ? entry[key] as string
    : null;
}

function editsOf(entry: Record<string, unknown>): BugEdit[] | null {
  const raw = Array.isArray(entry.edits)
    ? entry.edits
    : [{ find: entry.find, replace: entry.replace }];
  const ok = raw.length > 0 &&
    raw.every((e) =>
      typeof e?.find === "string" && e.find !== "" &&
      typeof e?.replace === "string"
    );
  return ok ? raw as BugEdit[] : null;
}

/** Turns one JSON entry into a bug, or a problem line. */
function parseEntry(
  curriculum: Curriculum,
  exercise: Exercise,
  entry: Record<string, unknown>,
  where: string,
): LearnerBug | string {
  const id = text(entry, "id");
  const fn = text(entry, "function");
  const misconception = text(entry, "misconception");
  const edits = editsOf(entry);
  const name = `${where}: entry "${id ?? "?"}" (exercise ${exercise.id})`;
  if (!id || !fn || !misconception || !edits) {
    return `${name}: needs "id", "function", "misconception" and "find"/"replace" (or "edits")`;
  }
  let testedBy = exercise;
  if (entry.tests !== undefined) {
    try {
      testedBy = findExercise(curriculum, String(entry.tests));
    } catch {
      return `${name}: "tests": no exercise "${entry.tests}"`;
    }
  }
  return {
    key: `${exercise.id}.${id}`,
    exercise,
    file: text(entry, "file") ?? exercise.file,
    edits,
    misconception,
    fn,
    testedBy,
  };
}

/**
 * Reads every exercise's catalogue file; a missing file is an empty
 * catalogue, a malformed one a problem.
 *
 * @returns The bugs, in curriculum order, and one line per problem.
 */
export async function loadBugs(
  curriculum: Curriculum,
  root: string,
): Promise<{ bugs: LearnerBug[]; problems: string[] }> {
  const bugs: LearnerBug[] = [];
  const problems: string[] = [];
  for (const exercise of curriculum.exercises) {
    const where = `${BUGS_DIR}/${exercise.id}.json`;
    let raw: { exercise?: unknown; bugs?: unknown };
    try {
      raw = JSON.parse(await Deno.readTextFile(join(root, where)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    if (!Array.isArray(raw?.bugs) || raw.exercise !== exercise.id) {
      problems.push(
        `${where}: expected {"exercise": "${exercise.id}", "bugs": [...]}`,
      );
      continue;
    }
    const seen = new Set<string>();
    for (const entry of raw.bugs) {
      const bug = parseEntry(curriculum, exercise, entry ?? {}, where);
      if (typeof bug === "string") problems.push(bug);
      else if (seen.has(bug.key)) {
        problems.push(`${where}: id ${bug.key} twice`);
      } else {
        seen.add(bug.key);
        bugs.push(bug);
      }
    }
  }
  return { bugs, problems };
}

/**
 * Applies a bug's edits to the solution text.
 *
 * @returns The edited text, or a problem naming the entry and the exercise
 * when an edit's `find` does not occur exactly once (the solution changed).
 */
export function applyBug(bug: LearnerBug, source: string): string | {
  problem: string;
} {
  let out = source;
  for (const edit of bug.edits) {
    const count = out.split(edit.find).length - 1;
    if (count !== 1) {
      return {
        problem:
          `bug ${bug.key} (exercise ${bug.exercise.id}): its edit no longer applies: "${
            edit.find.split("\n")[0]
          }" occurs ${count} times in solutions/${
            bug.exercise.folder.replace(/^exercises\//, "")
          }/${bug.file}, expected once (update the entry in ${BUGS_DIR}/${bug.exercise.id}.json)`,
      };
    }
    out = out.replace(edit.find, () => edit.replace);
  }
  return out;
}

/** Whether a failure names the function, as a word (`fn(` or `fn `). */
function names(failure: TestCase, word: string): boolean {
  const pattern = new RegExp(`\\b${word.replace(/[.]/g, "\\.")}\\b`);
  return pattern.test(failure.name) || pattern.test(failure.message ?? "");
}

/**
 * Judges one bug's test results.
 *
 * @param cases The tests of `bug.testedBy`, run on the edited solution.
 * @returns Whether it was caught, and a problem line when it was not or
 * when the first failure points to the wrong place.
 */
export function judgeBug(
  bug: LearnerBug,
  cases: TestCase[],
  run: TestRun,
): { caught: boolean; problem?: string } {
  const what = `bug ${bug.key} (${bug.misconception})`;
  if (cases.length === 0) {
    const why = crashLines(run.stderr, 1)[0];
    return {
      caught: false,
      problem: `${what}: the tests did not run (exit code ${run.code}${
        why ? `: ${why.trim()}` : ""
      })`,
    };
  }
  const first = cases.find((c) => c.status === "failed");
  if (!first) {
    return {
      caught: false,
      problem:
        `${what}: not caught: all ${cases.length} tests of exercise ${bug.testedBy.id} pass with it`,
    };
  }
  const shown = `"${first.name}": ${(first.message ?? "").split("\n")[0]}`;
  if (!names(first, bug.fn)) {
    return {
      caught: true,
      problem:
        `${what}: caught, but the first failure does not name ${bug.fn}: ${shown}`,
    };
  }
  if (
    bug.testedBy !== bug.exercise &&
    !names(first, `exercise ${bug.exercise.id}`)
  ) {
    return {
      caught: true,
      problem:
        `${what}: caught by exercise ${bug.testedBy.id}, but the first failure does not say to revisit exercise ${bug.exercise.id}: ${shown}`,
    };
  }
  return { caught: true };
}
