import assert from "node:assert/strict";
import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { acquireRunLock, LOCK_FILE } from "./run_lock.ts";

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("acquireRunLock() writes its pid, refuses a second holder, and release() frees the folder", async () => {
  const dir = await Deno.makeTempDir();
  const lock = await acquireRunLock(dir);
  assert.equal(await Deno.readTextFile(join(dir, LOCK_FILE)), `${Deno.pid}\n`);
  await assert.rejects(
    () => acquireRunLock(dir),
    (error) =>
      error instanceof KitError &&
      error.message ===
        `${dir}: another run (process ${Deno.pid}) is writing into this folder`,
  );
  await lock.release();
  await (await acquireRunLock(dir)).release();
  assert.equal(await Deno.stat(join(dir, LOCK_FILE)).catch(() => null), null);
});

Deno.test("acquireRunLock() reports a stale lock and clears it only when asked", async () => {
  const dir = await Deno.makeTempDir();
  const pid = await deadPid();
  await Deno.writeTextFile(join(dir, LOCK_FILE), `${pid}\n`);
  await assert.rejects(
    () => acquireRunLock(dir),
    new RegExp(`stale lock left by process ${pid}, which is no longer running`),
  );
  assert.equal(await Deno.readTextFile(join(dir, LOCK_FILE)), `${pid}\n`);
  const lock = await acquireRunLock(dir, { clearStale: true });
  assert.equal(await Deno.readTextFile(join(dir, LOCK_FILE)), `${Deno.pid}\n`);
  await lock.release();
});

Deno.test("acquireRunLock() removes a killed save's temporary files and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "figures"));
  const temporaries = [
    join(dir, ".model.bin.4242.1764547200000.tmp"),
    join(dir, "figures", ".loss.svg.4242.1764547200000.tmp"),
  ];
  const kept = [
    join(dir, "notes.tmp"),
    join(dir, ".hidden"),
    join(dir, "model.bin"),
  ];
  for (const path of [...temporaries, ...kept]) {
    await Deno.writeTextFile(path, "x");
  }
  const lock = await acquireRunLock(dir);
  assert.deepEqual(lock.cleaned.toSorted(), temporaries.toSorted());
  for (const path of kept) assert.ok(await Deno.stat(path), path);
  await lock.release();
});

Deno.test("of many concurrent acquireRunLock() calls on one folder, exactly one wins", async () => {
  const dir = await Deno.makeTempDir();
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => acquireRunLock(dir)),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
});

Deno.test("acquireRunLock() takes a folder whose figures is a file, not a folder", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "figures"), "not a folder");
  const lock = await acquireRunLock(dir);
  assert.deepEqual(lock.cleaned, []);
  await lock.release();
});
