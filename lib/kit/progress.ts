/**
 * `deno task progress`: each exercise and task done or to do, the next one
 * to work on, and "7/12 done".
 *
 * A task is done when its stub no longer throws `TODO(NN.k)` and every test
 * named after it passes on the learner's code; "failing" when the TODO is
 * gone but a test fails; "to do" while the TODO is there.
 *
 * @module
 */

import { join } from "node:path";
import {
  crashLines,
  runDenoTests,
  type TestCase,
  type TestRun,
} from "./check_run.ts";
import {
  type Curriculum,
  type Exercise,
  findTodos,
  loadCurriculum,
  REPO_ROOT,
  stubPath,
  taskOfTest,
  type Todo,
} from "./curriculum.ts";

/** A task's state. */
export type TaskState = "done" | "failing" | "todo";

/** One exercise's progress. */
export interface ExerciseProgress {
  /** The exercise. */
  exercise: Exercise;
  /** Per task id, in order. */
  tasks: { id: string; title: string; state: TaskState; failure?: string }[];
  /** Whether every task is done. */
  done: boolean;
}

/** The whole picture. */
export interface Progress {
  /** Per exercise, in curriculum order. */
  exercises: ExerciseProgress[];
  /** How many exercises are done. */
  doneExercises: number;
  /** How many tasks are done. */
  doneTasks: number;
  /** All tasks. */
  totalTasks: number;
  /** The first exercise not done, and its first task not done. */
  next: { exercise: Exercise; task: string; failure?: string } | null;
}

/**
 * Works out the progress from the stubs' TODOs and a test run.
 *
 * @param curriculum The curriculum.
 * @param todos Per exercise id, the TODOs left in the learner's file.
 * @param cases The learner's test results (empty when the tests could not run).
 * @returns The progress.
 */
export function computeProgress(
  curriculum: Curriculum,
  todos: Map<string, Todo[]>,
  cases: TestCase[],
): Progress {
  const exercises: ExerciseProgress[] = curriculum.exercises.map((exercise) => {
    const left = todos.get(exercise.id) ?? [];
    const mine = cases.filter((c) => c.file.includes(`/${exercise.folder}/`));
    const tasks = exercise.tasks.map((task) => {
      const tests = mine.filter((c) => taskOfTest(c.name) === task.id);
      const failed = tests.find((c) => c.status === "failed");
      const state: TaskState = left.some((t) => t.task === task.id)
        ? "todo"
        : failed || tests.length === 0
        ? "failing"
        : "done";
      return {
        id: task.id,
        title: task.title,
        state,
        failure: failed
          ? `"${failed.name}": ${(failed.message ?? "").split("\n")[0]}`
          : state === "failing"
          ? "its tests did not run"
          : undefined,
      };
    });
    return { exercise, tasks, done: tasks.every((t) => t.state === "done") };
  });
  const firstOpen = exercises.find((e) => !e.done);
  const openTask = firstOpen?.tasks.find((t) => t.state !== "done");
  return {
    exercises,
    doneExercises: exercises.filter((e) => e.done).length,
    doneTasks:
      exercises.flatMap((e) => e.tasks).filter((t) => t.state === "done")
        .length,
    totalTasks: exercises.reduce((n, e) => n + e.tasks.length, 0),
    next: firstOpen && openTask
      ? {
        exercise: firstOpen.exercise,
        task: openTask.id,
        failure: openTask.failure,
      }
      : null,
  };
}

const MARK: Record<TaskState, string> = {
  done: "✓",
  failing: "✗",
  todo: "·",
};

/**
 * The report `deno task progress` prints.
 *
 * @param curriculum For the welcome and final messages.
 * @param progress From {@link computeProgress}.
 * @returns Lines of text.
 */
export function formatProgress(
  curriculum: Curriculum,
  progress: Progress,
): string {
  const lines: string[] = [];
  if (progress.doneTasks === 0) lines.push(curriculum.welcome, "");
  const width = Math.max(
    ...progress.exercises.map((e) => e.exercise.title.length),
  );
  for (const e of progress.exercises) {
    const mark = e.done
      ? "✓"
      : e.tasks.some((t) => t.state !== "todo")
      ? "✗"
      : "·";
    const state = e.done ? "done " : "to do";
    const tasks = e.tasks.map((t) => `${t.id} ${MARK[t.state]}`).join("  ");
    lines.push(
      `${mark} ${e.exercise.id} ${
        e.exercise.title.padEnd(width)
      }  ${state}  ${tasks}`,
    );
  }
  lines.push("  (✓ done, ✗ started but a test fails, · to do)", "");
  if (progress.next) {
    const { exercise, task, failure } = progress.next;
    const title = exercise.tasks.find((t) => t.id === task)?.title ?? "";
    lines.push(
      `Next: ${task} ${title}`,
      `  edit   ${stubPath(exercise)}`,
      `  read   ${exercise.folder}/README.md`,
      `  run    deno test ${exercise.folder}/ --filter ${task}`,
      `  hint   deno task hint ${exercise.id}`,
    );
    if (failure) lines.push(`  now    ${failure}`);
    lines.push("");
  } else {
    lines.push(curriculum.final, "");
  }
  lines.push(
    `${progress.doneExercises}/${progress.exercises.length} done (${progress.doneTasks}/${progress.totalTasks} tasks)`,
  );
  return lines.join("\n");
}

/**
 * Reads the learner's files, runs their tests, and computes the progress.
 *
 * @param root The repository.
 * @returns The progress, and the test run (whose `stderr` explains a crash).
 */
export async function measureProgress(
  root = REPO_ROOT,
): Promise<{ curriculum: Curriculum; progress: Progress; run: TestRun }> {
  const curriculum = await loadCurriculum(root);
  const todos = new Map<string, Todo[]>();
  for (const exercise of curriculum.exercises) {
    let text = "";
    try {
      text = await Deno.readTextFile(join(root, stubPath(exercise)));
    } catch {
      // A missing file counts as untouched: every task to do.
      text = exercise.tasks.map((t) =>
        `throw new Error("TODO(${t.id}): implement missing in ${
          stubPath(exercise)
        }")`
      ).join("\n");
    }
    todos.set(exercise.id, findTodos(text));
  }
  const run = await runDenoTests(
    curriculum.exercises.map((e) => `${e.folder}/`),
    { cwd: root, typeCheck: false },
  );
  return {
    curriculum,
    progress: computeProgress(curriculum, todos, run.cases),
    run,
  };
}

/**
 * The `deno task progress` command.
 *
 * @returns 0 always (progress is information, not a verdict).
 */
export async function progressCommand(): Promise<number> {
  const { curriculum, progress, run } = await measureProgress();
  if (run.cases.length === 0 && run.code !== 0) {
    const why = crashLines(run.stderr, 6);
    console.log(
      "note: the exercise tests could not run, so only the TODOs were counted:",
    );
    for (const line of why) console.log(`  ${line}`);
    console.log("");
  }
  console.log(formatProgress(curriculum, progress));
  return 0;
}
