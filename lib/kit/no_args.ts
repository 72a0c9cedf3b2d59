/**
 * The exercise tools that take no arguments (`check`, `progress`) still
 * answer `--help`, and refuse anything else instead of ignoring it.
 *
 * @module
 */

/**
 * Runs `command` when `args` is empty; prints `usage` for `--help` or `-h`;
 * otherwise prints a one-line usage error naming the first argument.
 *
 * @returns The command's exit code, 0 after printing the usage, or 2 after a
 * usage error.
 */
export async function withoutArgs(
  args: string[],
  usage: string,
  command: () => Promise<number>,
): Promise<number> {
  if (args.length === 0) return await command();
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    console.log(usage);
    return 0;
  }
  console.error(`error: unexpected argument ${args[0]}\nhelp: usage: ${usage}`);
  return 2;
}
