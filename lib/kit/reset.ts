/**
 * `deno task reset NN`: put one exercise's stub back as shipped, after a
 * confirmation, keeping the learner's file as a timestamped `.bak` next to
 * it. The shipped stub comes from git (`HEAD`).
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import {
  type Exercise,
  findExercise,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
} from "./curriculum.ts";
import { KitError } from "../base/errors.ts";

/**
 * Reads the shipped stub from git.
 *
 * @param path The stub, relative to the repository.
 * @param root The repository.
 * @returns Its text at `HEAD`.
 * @throws {KitError} When git is missing or does not know the file.
 */
export async function stubFromGit(path: string, root: string): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("git", {
      args: ["show", `HEAD:${path}`],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new KitError(
      `cannot run git to find the original ${path} (${
        (error as Error).message
      })`,
      "install git, or copy the stub from a fresh clone of the kit",
    );
  }
  if (!output.success) {
    throw new KitError(
      `git has no committed ${path}: ${
        new TextDecoder().decode(output.stderr).trim()
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
    const original = await stubFromGit(path, REPO_ROOT);
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
    if (!(error instanceof KitError)) throw error;
    console.error(`error: ${error.message}`);
    if (error.help) console.error(`help: ${error.help}`);
    return 1;
  }
}
