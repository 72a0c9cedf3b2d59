/**
 * `deno task reset NN`: put one exercise's stub back as shipped, after a
 * confirmation, keeping the learner's file as a timestamped `.bak` next to
 * it. The shipped stub comes from git: the newest committed version that
 * still throws every task's `TODO`.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import {
  type Exercise,
  findExercise,
  findTodos,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
} from "./curriculum.ts";
import { KitError, reportKitError } from "../base/errors.ts";

/**
 * Finds the shipped stub in git: the newest committed version of the file
 * that still throws every task's `TODO`. `HEAD` alone is not it once the
 * learner has committed their own code (reset would then "restore" that
 * code); their commits are passed over, the kit's later edits to the stub
 * are kept.
 *
 * @param exercise The exercise whose stub is wanted.
 * @param root The repository.
 * @returns The stub's text.
 * @throws {KitError} When git is missing or holds no version that is still
 * the stub.
 */
export async function stubFromGit(
  exercise: Exercise,
  root: string,
): Promise<string> {
  const path = stubPath(exercise);
  const commits = (await git(["log", "--format=%H", "--", path], root))
    .split("\n").filter((line) => line !== "");
  for (const commit of commits) {
    const text = await git(["show", `${commit}:${path}`], root);
    if (isStub(text, exercise)) return text;
  }
  throw new KitError(
    `git holds no version of ${path} that is still the stub (every task's TODO)`,
    "reset works in a git clone of the kit; or copy the stub from a fresh clone",
  );
}

/** Whether a text throws the `TODO` of every task of the exercise. */
function isStub(text: string, exercise: Exercise): boolean {
  const open = new Set(findTodos(text).map((todo) => todo.task));
  return exercise.tasks.every((task) => open.has(task.id));
}

/** Runs git in `root` and returns its standard output. */
async function git(args: string[], root: string): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("git", {
      args,
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new KitError(
      `cannot run git to find the original stub (${(error as Error).message})`,
      "install git, or copy the stub from a fresh clone of the kit",
    );
  }
  if (!output.success) {
    throw new KitError(
      `git ${args[0]} failed: ${
        new TextDecoder().decode(output.stderr).trim().split("\n")[0]
      }`,
      "reset works in a git clone of the kit",
    );
  }
  return new TextDecoder().decode(output.stdout);
}

/** What a reset did. */
export interface ResetResult {
  /** The stub, relative to the repository. */
  path: string;
  /** Where the learner's file went, or `null` when there was nothing to keep. */
  backup: string | null;
  /** Whether the file changed. */
  changed: boolean;
}

/**
 * Restores one stub, keeping a backup of the learner's file.
 *
 * @param exercise The exercise.
 * @param original The shipped stub's text.
 * @param options The repository and the clock (for the backup's name).
 * @returns What was done.
 */
export async function resetExercise(
  exercise: Exercise,
  original: string,
  options: { root?: string; now?: Date } = {},
): Promise<ResetResult> {
  const root = options.root ?? REPO_ROOT;
  const path = stubPath(exercise);
  const file = join(root, path);
  let current: string | null = null;
  try {
    current = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (current === original) return { path, backup: null, changed: false };
  let backup: string | null = null;
  if (current !== null) {
    const stamp = (options.now ?? new Date()).toISOString()
      .replace(/:/g, "-").replace(/\..*$/, "");
    backup = `${path}.${stamp}.bak`;
    await writeFileAtomic(join(root, backup), current);
  }
  await writeFileAtomic(file, original);
  return { path, backup, changed: true };
}

/**
 * The `deno task reset` command.
 *
 * @param args `[NN]`, optionally with `--yes` to skip the question.
 * @returns 0 when reset (or nothing to do), 1 when declined or failed, 2
 * for bad arguments.
 */
export async function resetCommand(args: string[]): Promise<number> {
  const yes = args.includes("--yes") || args.includes("-y");
  const ids = args.filter((a) => a !== "--yes" && a !== "-y");
  if (ids.length !== 1 || ids[0].startsWith("-")) {
    console.error(
      "usage: deno task reset NN [--yes]   (e.g. deno task reset 03)",
    );
    return 2;
  }
  try {
    const exercise = findExercise(await loadCurriculum(), ids[0]);
    const path = stubPath(exercise);
    const original = await stubFromGit(exercise, REPO_ROOT);
    const current = await Deno.readTextFile(join(REPO_ROOT, path)).catch(() =>
      null
    );
    if (current === original) {
      console.log(`${path} is already the original stub; nothing to do.`);
      return 0;
    }
    if (!yes) {
      if (!Deno.stdin.isTerminal()) {
        console.error(
          `error: resetting ${path} needs a confirmation, and stdin is not a terminal`,
        );
        console.error(`help: run \`deno task reset ${exercise.id} --yes\``);
        return 1;
      }
      const ok = confirm(
        `Reset ${path} to the original stub? Your version is kept as a .bak file next to it.`,
      );
      if (!ok) {
        console.log("Nothing changed.");
        return 1;
      }
    }
    const result = await resetExercise(exercise, original);
    console.log(
      `Reset ${result.path} to the original stub.` +
        (result.backup ? ` Your version is in ${result.backup}.` : ""),
    );
    return 0;
  } catch (error) {
    return reportKitError(error);
  }
}
