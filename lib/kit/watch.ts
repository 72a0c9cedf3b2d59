/**
 * `deno task watch`: the exercises one at a time, rerun on every save.
 *
 * It runs the current exercise's tests, clears the screen, and shows the
 * first failing test with its message, the file to edit and the hint
 * command; then it waits for a save under `exercises/` (or Enter to rerun,
 * `q` to quit). When every test passes it shows the exercise's tasks done
 * and asks before moving to the next exercise. Where the learner is lives
 * in `.kit_watch.json` at the repository root, so the next session starts
 * there.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { KitError, reportKitError } from "../base/errors.ts";
import { writeFileAtomic } from "../base/atomic.ts";
import { crashLines, runDenoTests, type TestRun } from "./check_run.ts";
import {
  type Curriculum,
  type Exercise,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
  taskOfTest,
} from "./curriculum.ts";

/** The file that remembers the current exercise between sessions. */
export const WATCH_STATE_FILE = ".kit_watch.json";

/** What the learner did while the watcher waited. */
type Event = { kind: "save" } | { kind: "line"; text: string } | {
  kind: "end";
};

/** Merges file saves and stdin lines into one queue of events. */
class Events {
  #queue: Event[] = [];
  #wake: (() => void) | null = null;

  constructor(folder: string, input: ReadableStream<Uint8Array>) {
    this.#watchFiles(folder);
    this.#readLines(input);
  }

  #push(event: Event): void {
    this.#queue.push(event);
    this.#wake?.();
  }

  async #watchFiles(folder: string): Promise<void> {
    for await (const change of Deno.watchFs(folder)) {
      if (change.paths.some((p) => p.endsWith(".ts"))) {
        this.#push({ kind: "save" });
      }
    }
  }

  async #readLines(input: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf("\n")) >= 0) {
        this.#push({ kind: "line", text: pending.slice(0, end).trim() });
        pending = pending.slice(end + 1);
      }
    }
    this.#push({ kind: "end" });
  }

  /** The next event; a burst of saves (an editor's write) counts once. */
  async next(): Promise<Event> {
    while (this.#queue.length === 0) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const event = this.#queue.shift()!;
    if (event.kind === "save") {
      await new Promise((resolve) => setTimeout(resolve, 150));
      while (this.#queue[0]?.kind === "save") this.#queue.shift();
    }
    return event;
  }
}

/** Reads the remembered exercise; a missing or unreadable file means the first. */
export async function readWatchState(
  curriculum: Curriculum,
  root: string,
): Promise<Exercise> {
  try {
    const state = JSON.parse(
      await Deno.readTextFile(join(root, WATCH_STATE_FILE)),
    );
    const found = curriculum.exercises.find((e) => e.id === state?.current);
    if (found) return found;
  } catch {
    // No state yet, or a broken one: start at the beginning.
  }
  return curriculum.exercises[0];
}

async function writeWatchState(root: string, exercise: Exercise) {
  await writeFileAtomic(
    join(root, WATCH_STATE_FILE),
    JSON.stringify({ current: exercise.id }) + "\n",
  );
}

/** The screen for one test run of one exercise. */
export function formatRun(
  exercise: Exercise,
  run: TestRun,
  position: string,
): { text: string; passed: boolean } {
  const failed = run.cases.filter((c) => c.status === "failed");
  const passed = run.cases.length > 0 && failed.length === 0 &&
    run.code === 0;
  const lines = [`exercise ${exercise.id} ${exercise.title}   (${position})`];
  for (const task of exercise.tasks) {
    const mine = run.cases.filter((c) => taskOfTest(c.name) === task.id);
    const ok = mine.length > 0 && mine.every((c) => c.status !== "failed");
    lines.push(`  ${ok ? "✓" : "✗"} ${task.id} ${task.title}`);
  }
  lines.push("");
  if (passed) {
    lines.push(
      `✓ all ${run.cases.length} tests of exercise ${exercise.id} pass`,
    );
  } else if (failed.length > 0) {
    const first = failed[0];
    lines.push(
      `${
        run.cases.length - failed.length
      } of ${run.cases.length} tests pass. First failing test:`,
      `  ${first.name}`,
      ...(first.message ?? "").split("\n").slice(0, 6).map((l) => `  ${l}`),
    );
  } else {
    const why = crashLines(run.stderr, 8);
    lines.push("The tests did not run:", ...why.map((l) => `  ${l}`));
  }
  if (!passed) {
    lines.push(
      "",
      `  edit   ${stubPath(exercise)}`,
      `  read   ${exercise.folder}/README.md`,
      `  hint   deno task hint ${exercise.id}`,
    );
  }
  return { text: lines.join("\n"), passed };
}

/** Where the watcher reads and writes; tests pass their own. */
export interface WatchIo {
  /** The repository. */
  root: string;
  /** Lines typed by the learner. */
  input: ReadableStream<Uint8Array>;
  /** Where screens go. */
  print: (text: string) => void;
  /** Whether to clear the screen before each run. */
  clear: boolean;
}

/** Runs one exercise until it passes or the learner quits. */
async function watchExercise(
  exercise: Exercise,
  position: string,
  events: Events,
  io: WatchIo,
): Promise<"passed" | "quit"> {
  while (true) {
    const run = await runDenoTests([`${exercise.folder}/`], { cwd: io.root });
    const screen = formatRun(exercise, run, position);
    io.print((io.clear ? "\x1b[2J\x1b[H" : "") + screen.text);
    if (screen.passed) return "passed";
    io.print("\nwaiting for a save (Enter reruns, q quits)");
    const event = await events.next();
    if (event.kind === "end") return "quit";
    if (event.kind === "line" && event.text.toLowerCase() === "q") {
      return "quit";
    }
  }
}

/** Asks before moving on. A save instead of an answer reruns the tests. */
async function askToMoveOn(
  next: Exercise,
  events: Events,
  io: WatchIo,
): Promise<"yes" | "no" | "rerun" | "quit"> {
  io.print(`\nMove on to exercise ${next.id} ${next.title}? [Y/n/q]`);
  const event = await events.next();
  if (event.kind === "end") return "quit";
  if (event.kind === "save") return "rerun";
  const answer = event.text.toLowerCase();
  if (answer === "q") return "quit";
  return answer === "" || answer.startsWith("y") ? "yes" : "no";
}

/**
 * The watch loop.
 *
 * @returns When the learner quits or finishes.
 * @throws {KitError} When the kit or its curriculum.json is missing or broken.
 */
export async function watch(io: WatchIo): Promise<void> {
  const curriculum = await loadCurriculum(io.root);
  const folder = join(io.root, "exercises");
  if (!(await Deno.stat(folder).then((s) => s.isDirectory, () => false))) {
    throw new KitError(
      `${folder}: missing`,
      "run deno task watch in the mnist-from-scratch folder",
    );
  }
  const events = new Events(folder, io.input);
  let exercise = await readWatchState(curriculum, io.root);
  while (true) {
    const index = curriculum.exercises.indexOf(exercise);
    const position = `${index + 1} of ${curriculum.exercises.length}`;
    if (await watchExercise(exercise, position, events, io) === "quit") return;
    const next = curriculum.exercises[index + 1];
    if (!next) {
      io.print(`\n${curriculum.final}`);
      return;
    }
    const answer = await askToMoveOn(next, events, io);
    if (answer === "quit") return;
    if (answer === "yes") {
      exercise = next;
      await writeWatchState(io.root, exercise);
    } else if (answer === "no") {
      io.print(`staying on exercise ${exercise.id}: waiting for a save`);
      const event = await events.next();
      if (event.kind === "end") return;
      if (event.kind === "line" && event.text.toLowerCase() === "q") return;
    }
  }
}

const USAGE = "usage: deno task watch [--root DIR]";

/**
 * The `deno task watch` command.
 *
 * @param args `--root DIR` watches another copy of the kit.
 * @returns The exit code: 0 on quit, 1 when the kit is broken, 2 for usage.
 * The caller exits with it: the file watcher would keep the process alive.
 */
export async function watchCommand(args: string[]): Promise<number> {
  let root = REPO_ROOT;
  try {
    const { values } = parseArgs({
      args,
      options: { root: { type: "string" }, help: { type: "boolean" } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    root = values.root ?? root;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    console.error(`help: ${USAGE}`);
    return 2;
  }
  try {
    await watch({
      root,
      input: Deno.stdin.readable,
      print: (text) => console.log(text),
      clear: Deno.stdout.isTerminal(),
    });
    return 0;
  } catch (error) {
    return reportKitError(error);
  }
}
