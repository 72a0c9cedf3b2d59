/** Runs a kit entry point in a subprocess, as a user would. */

const repo = new URL("../../", import.meta.url).pathname;

/** What a finished command printed and returned. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * @param script The entry point under the repo, e.g. `bin/train.ts`.
 * @param args Its arguments.
 * @param root The kit to run it in: this one, or a scratch copy.
 * @returns Exit code and output (colour off).
 */
export async function runScript(
  script: string,
  args: string[],
  root: string = repo,
): Promise<CommandResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: root,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: decode(output.stderr),
  };
}

/**
 * Runs `deno task train` on a data folder into a run folder.
 *
 * @param flags The run's flags (before `--data` and `--out`).
 * @param data The data folder.
 * @param out The run folder.
 * @returns Exit code and output.
 */
export function runTrainInto(
  flags: string[],
  data: string,
  out: string,
): Promise<CommandResult> {
  return runScript("bin/train.ts", [...flags, "--data", data, "--out", out]);
}
