/**
 * Atomic file writes: the data goes to a temporary file in the same folder,
 * which is then renamed over the target. A crash or a full disk leaves
 * either the old file or the new one, never half of one.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";

/**
 * Writes a file atomically (temporary file, then rename).
 *
 * @param path Where the file should end up.
 * @param data Bytes, or text to write as UTF-8.
 * @throws Whatever the file system throws; the temporary file is removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/metrics.json`;
 * await writeFileAtomic(path, "{}\n"); // a reader sees the old file or this one, never half
 * assert((await Deno.readTextFile(path)) === "{}\n");
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${Deno.pid}.${Date.now()}.tmp`,
  );
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
