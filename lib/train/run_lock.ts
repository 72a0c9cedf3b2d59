/**
 * One run per folder. A run holds `RUN_DIR/.lock` (created exclusively, so
 * of two runs started together exactly one gets it) with its process id;
 * a second run into the folder is refused at once instead of mixing its
 * files with the first's. A lock whose process is gone (a killed run) is
 * reported as stale and cleared only when asked. Whoever holds the lock
 * also removes the temporary files a killed save left behind.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";

/** The lock file's name inside a run folder. */
export const LOCK_FILE = ".lock";

/** A held lock; `release()` removes the file. */
export interface RunLock {
  /** The lock file. */
  path: string;
  /** Temporary files of an interrupted save that were removed. */
  cleaned: string[];
  /** The process whose stale lock was cleared, if one was. */
  clearedStalePid?: number;
  /** Removes the lock file (idempotent). */
  release(): Promise<void>;
}

/**
 * Whether a process is running. Reads `/proc` (Linux); elsewhere every
 * process counts as alive, so no live run's lock is ever taken away.
 *
 * @param pid A process id.
 * @returns `false` only when the process surely does not exist.
 */
export async function processAlive(pid: number): Promise<boolean> {
  if (!(await Deno.stat("/proc/self").then(() => true, () => false))) {
    return true;
  }
  return await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
}

/**
 * Takes the folder's lock, then removes the temporary files (`.*.tmp`, see
 * lib/base/atomic.ts) of earlier, killed saves in it and in `figures/`.
 *
 * @param dir The run folder; it must exist.
 * @param options `clearStale`: remove a lock left by a process that is gone.
 * @returns The held lock.
 * @throws {KitError} When another live run holds the folder, or a stale
 * lock is found without `clearStale`.
 */
export async function acquireRunLock(
  dir: string,
  options: { clearStale?: boolean } = {},
): Promise<RunLock> {
  const path = join(dir, LOCK_FILE);
  let clearedStalePid: number | undefined;
  while (!(await tryCreate(path))) {
    const holder = await readHolder(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (await processAlive(holder)) {
      throw new KitError(
        `${dir}: another run (process ${holder}) is writing into this folder`,
        "wait for it to finish, or choose another --out folder",
      );
    }
    if (!options.clearStale) {
      throw new KitError(
        `${path}: stale lock left by process ${holder}, which is no longer running`,
        `if no run uses ${dir}, delete ${path} or pass --force to clear it`,
      );
    }
    await Deno.remove(path).catch(() => {});
    clearedStalePid = holder;
  }
  const cleaned = await removeTemporaries(dir);
  let held = true;
  return {
    path,
    cleaned,
    clearedStalePid,
    async release() {
      if (!held) return;
      held = false;
      await Deno.remove(path).catch(() => {});
    },
  };
}

async function tryCreate(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { createNew: true, write: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw new KitError(
      `${path}: cannot create the run's lock file (${
        (error as Error).message
      })`,
      "check that the folder is writable and the disk is not full",
    );
  }
  try {
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } finally {
    file.close();
  }
  return true;
}

/** The pid in a lock file; `undefined` when the file is gone. */
async function readHolder(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  // An empty or garbled lock (its writer died between create and write)
  // names no live process: treat it as stale.
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

const TEMPORARY = /^\..+\.tmp$/;

async function removeTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const folder of [dir, join(dir, "figures")]) {
    try {
      for await (const entry of Deno.readDir(folder)) {
        if (!entry.isFile || !TEMPORARY.test(entry.name)) continue;
        const path = join(folder, entry.name);
        await Deno.remove(path);
        removed.push(path);
      }
    } catch (error) {
      // No figures/ yet, or a file of that name: nothing to clean there.
      const absent = error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotADirectory;
      if (!absent) throw error;
    }
  }
  return removed;
}
