import assert from "node:assert/strict";
import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import {
  findExercise,
  loadCurriculum,
  REPO_ROOT,
  solutionPath,
  stubPath,
} from "./curriculum.ts";
import { stubFromGit } from "./reset.ts";

const exercise = findExercise(await loadCurriculum(REPO_ROOT), "03");
const stub = await Deno.readTextFile(join(REPO_ROOT, stubPath(exercise)));
const solution = await Deno.readTextFile(
  join(REPO_ROOT, solutionPath(exercise)),
);

/** A scratch git repository whose stub file went through `versions`, one commit each. */
async function repoWithHistory(versions: string[]): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "reset_git_" });
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args: ["-c", "user.name=learner", "-c", "user.email=l@example.org"]
        .concat(args),
      cwd: root,
      stdout: "null",
      stderr: "null",
    }).output();
  await git("init", "-q");
  await Deno.mkdir(join(root, exercise.folder), { recursive: true });
  for (const [k, text] of versions.entries()) {
    await Deno.writeTextFile(join(root, stubPath(exercise)), text);
    await git("add", "-A");
    await git("commit", "-q", "-m", `version ${k}`);
  }
  return root;
}

Deno.test("stubFromGit() passes over the learner's committed code to the stub before it", async () => {
  const root = await repoWithHistory([stub, solution]);
  try {
    assert.equal(await stubFromGit(exercise, root), stub);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("stubFromGit() keeps the kit's later edit of the stub", async () => {
  const edited = stub.replace("Exercise 03", "Exercise 03 (edited)");
  assert.notEqual(edited, stub);
  const root = await repoWithHistory([stub, edited, solution]);
  try {
    assert.equal(await stubFromGit(exercise, root), edited);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("stubFromGit() refuses a history that holds no stub, naming the file", async () => {
  const half = stub.replace(/throw new Error\(\s*"TODO\(03\.1\)[^;]*;/, "");
  assert.notEqual(half, stub);
  const root = await repoWithHistory([half, solution]);
  try {
    await assert.rejects(
      () => stubFromGit(exercise, root),
      (error) =>
        error instanceof KitError &&
        error.message.includes(stubPath(exercise)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
