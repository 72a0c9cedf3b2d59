/**
 * The exercise curriculum: `curriculum.json` at the top of the repository
 * lists every exercise (id, folder, the file the learner edits, title,
 * tasks, hints, a docs link) and the welcome and final messages. The
 * `check`, `progress`, `hint` and `reset` tasks and `train --impl` all read
 * it through this module.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";

/** One task: a function (or a pair) the learner implements. */
export interface Task {
  /** `"03.2"`: the exercise id, a dot, the task number. */
  id: string;
  /** What the task is, in a few words. */
  title: string;
}

/** One exercise folder. */
export interface Exercise {
  /** `"03"`. */
  id: string;
  /** `"exercises/03_linear"`, relative to the repository. */
  folder: string;
  /** The one file the learner edits, inside `folder`, e.g. `"linear.ts"`. */
  file: string;
  /** A short title. */
  title: string;
  /** A page to read alongside the exercise's README. */
  docs: string;
  /** In order. */
  tasks: Task[];
  /** Shown one at a time by `deno task hint`. */
  hints: string[];
}

/** The whole curriculum. */
export interface Curriculum {
  /** Shown by `deno task progress` before the first exercise is done. */
  welcome: string;
  /** Shown by `deno task progress` when everything is done. */
  final: string;
  /** In curriculum order. */
  exercises: Exercise[];
}

/** The repository's top folder (where `curriculum.json` lives). */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname
  .replace(/\/$/, "");

/** The curriculum file's name. */
export const CURRICULUM_FILE = "curriculum.json";

/**
 * Reads and validates the curriculum.
 *
 * @param root The repository folder; default {@link REPO_ROOT}.
 * @returns The curriculum.
 * @throws {KitError} When the file is missing or malformed, naming the
 * exercise and field at fault.
 */
export async function loadCurriculum(root = REPO_ROOT): Promise<Curriculum> {
  const path = join(root, CURRICULUM_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new KitError(`${path}: cannot read (${(error as Error).message})`);
  }
  return validateCurriculum(raw, path);
}

/**
 * Checks the shape of a parsed curriculum.
 *
 * @param raw The parsed JSON.
 * @param source Named in errors.
 * @returns The curriculum, typed.
 * @throws {KitError} On the first problem found.
 */
export function validateCurriculum(raw: unknown, source: string): Curriculum {
  const fail = (what: string): never => {
    throw new KitError(`${source}: ${what}`);
  };
  const c = raw as Curriculum;
  if (typeof c !== "object" || c === null) fail("expected a JSON object");
  if (typeof c.welcome !== "string") fail(`"welcome" must be a string`);
  if (typeof c.final !== "string") fail(`"final" must be a string`);
  if (!Array.isArray(c.exercises) || c.exercises.length === 0) {
    fail(`"exercises" must be a non-empty list`);
  }
  const seen = new Set<string>();
  c.exercises.forEach((e, n) => {
    const where = `exercise ${n + 1} (${e?.id ?? "no id"})`;
    if (typeof e.id !== "string" || !/^\d\d$/.test(e.id)) {
      fail(`${where}: "id" must be two digits like "03"`);
    }
    if (seen.has(e.id)) fail(`${where}: duplicate id ${e.id}`);
    seen.add(e.id);
    if (n > 0 && e.id <= c.exercises[n - 1].id) {
      fail(`${where}: ids must increase in curriculum order`);
    }
    if (
      typeof e.folder !== "string" ||
      !e.folder.startsWith(`exercises/${e.id}_`)
    ) {
      fail(`${where}: "folder" must look like "exercises/${e.id}_topic"`);
    }
    for (const field of ["file", "title", "docs"] as const) {
      if (typeof e[field] !== "string" || e[field] === "") {
        fail(`${where}: "${field}" must be a non-empty string`);
      }
    }
    if (!e.file.endsWith(".ts") || e.file.includes("/")) {
      fail(`${where}: "file" must be a .ts file name inside the folder`);
    }
    if (!Array.isArray(e.tasks) || e.tasks.length === 0) {
      fail(`${where}: "tasks" must be a non-empty list`);
    }
    e.tasks.forEach((t, k) => {
      if (t?.id !== `${e.id}.${k + 1}`) {
        fail(`${where}: task ${k + 1} must have id "${e.id}.${k + 1}"`);
      }
      if (typeof t.title !== "string") {
        fail(`${where}: task ${t.id} needs a title`);
      }
    });
    if (
      !Array.isArray(e.hints) || e.hints.length === 0 ||
      !e.hints.every((h) => typeof h === "string")
    ) {
      fail(`${where}: "hints" must be a non-empty list of strings`);
    }
  });
  return c;
}

/**
 * Finds an exercise by id (`"3"`, `"03"` or a folder name all work).
 *
 * @throws {KitError} Listing the ids that exist.
 */
export function findExercise(curriculum: Curriculum, id: string): Exercise {
  const wanted = /^\d$/.test(id) ? `0${id}` : id;
  const exercise = curriculum.exercises.find((e) =>
    e.id === wanted || e.folder.endsWith(`/${wanted}`) ||
    e.folder === wanted.replace(/\/$/, "")
  );
  if (!exercise) {
    throw new KitError(
      `no exercise "${id}"`,
      `choose one of ${curriculum.exercises.map((e) => e.id).join(", ")}`,
    );
  }
  return exercise;
}

/** The stub's path relative to the repository: `exercises/03_linear/linear.ts`. */
export function stubPath(exercise: Exercise): string {
  return `${exercise.folder}/${exercise.file}`;
}

/** The solution's path: `solutions/03_linear/linear.ts`. */
export function solutionPath(exercise: Exercise): string {
  return stubPath(exercise).replace(/^exercises\//, "solutions/");
}

/** The error message a stub throws for a task, exactly. */
export function todoMessage(
  exercise: Exercise,
  task: Task,
  fn: string,
): string {
  return `TODO(${task.id}): implement ${fn} in ${stubPath(exercise)}`;
}

/** Matches a stub's not-implemented `throw`, capturing the task id and function. */
const TODO_THROW =
  /throw new Error\(\s*"TODO\((\d\d\.\d+)\): implement (\w+) in ([\w./-]+)"/g;

/** A not-implemented `throw` still in a file. */
export interface Todo {
  /** `"03.2"`. */
  task: string;
  /** The function it sits in. */
  fn: string;
  /** The file the message names. */
  file: string;
  /** 1-based line. */
  line: number;
}

/**
 * Lists the not-implemented `throw`s left in a source text.
 *
 * @param source A stub file's text.
 * @returns One entry per `throw new Error("TODO(NN.k): implement f in file")`.
 */
export function findTodos(source: string): Todo[] {
  const todos: Todo[] = [];
  for (const match of source.matchAll(TODO_THROW)) {
    todos.push({
      task: match[1],
      fn: match[2],
      file: match[3],
      line: source.slice(0, match.index).split("\n").length,
    });
  }
  return todos;
}

/** Matches a stub's error message at the start of a failure message. */
export const TODO_ERROR = /TODO\((\d\d\.\d+)\): implement (\w+) in ([\w./-]+)/;

/**
 * The task id a test is for, from its name (`"03.2 linearBackward() ..."`).
 *
 * @returns The id, or `null` when the name does not start with one.
 */
export function taskOfTest(name: string): string | null {
  return /^(\d\d\.\d+)\b/.exec(name)?.[1] ?? null;
}

/**
 * Lists the not-implemented tasks still in the learner's files (or in any
 * tree laid out like `exercises/`).
 *
 * @param curriculum The curriculum.
 * @param tree `"exercises"` or `"solutions"`.
 * @param root The repository folder.
 * @returns Per exercise, the file and its remaining `TODO`s, only for
 * exercises that have some.
 */
export async function unfinishedTasks(
  curriculum: Curriculum,
  tree: "exercises" | "solutions",
  root = REPO_ROOT,
): Promise<{ exercise: Exercise; path: string; todos: Todo[] }[]> {
  const out = [];
  for (const exercise of curriculum.exercises) {
    const rel = tree === "exercises"
      ? stubPath(exercise)
      : solutionPath(exercise);
    const path = join(root, rel);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new KitError(`${rel}: cannot read (${(error as Error).message})`);
    }
    const todos = findTodos(text);
    if (todos.length > 0) out.push({ exercise, path: rel, todos });
  }
  return out;
}
