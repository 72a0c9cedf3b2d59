/**
 * Runs `deno test` as a child process and reads its JUnit report, so a
 * checker can see every test's name, outcome and failure message.
 *
 * @module
 */

/** One test's outcome. */
export interface TestCase {
  /** The test file, as Deno names it (`./exercises/03_linear/linear_test.ts`). */
  file: string;
  /** The test's name. */
  name: string;
  /** What happened. */
  status: "passed" | "failed" | "skipped";
  /** For a failure: Deno's one-line message (`Uncaught Error: ...`). */
  message?: string;
}

/** What a `deno test` run produced. */
export interface TestRun {
  /** Every test case in the report. */
  cases: TestCase[];
  /** The process's exit code. */
  code: number;
  /** Its standard error, for crashes (type errors, missing modules). */
  stderr: string;
  /** Wall time, in seconds. */
  seconds: number;
}

const ENTITIES: Record<string, string> = {
  "&quot;": '"',
  "&apos;": "'",
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
};

function unescapeXml(text: string): string {
  return text.replace(/&(quot|apos|lt|gt|amp);/g, (e) => ENTITIES[e]);
}

/**
 * Parses Deno's JUnit XML.
 *
 * @param xml The report.
 * @returns Its test cases, in order.
 */
export function parseJunit(xml: string): TestCase[] {
  const cases: TestCase[] = [];
  const pattern =
    /<testcase name="([^"]*)" classname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const body = match[3] ?? "";
    const failure = /<failure message="([^"]*)"/.exec(body);
    cases.push({
      file: unescapeXml(match[2]),
      name: unescapeXml(match[1]),
      status: failure ? "failed" : /<skipped/.test(body) ? "skipped" : "passed",
      message: failure ? unescapeXml(failure[1]) : undefined,
    });
  }
  return cases;
}

/** Options for {@link runDenoTests}. */
export interface RunOptions {
  /** The working directory (the repository). */
  cwd: string;
  /** An import map file to pass with `--import-map`. */
  importMap?: string;
  /** Type-check first (Deno's default); `false` passes `--no-check`. */
  typeCheck?: boolean;
  /** Run test files in this many workers at once (`--parallel`). */
  parallel?: number;
  /** Kill the run after this many seconds (a test that loops forever). */
  timeoutSeconds?: number;
}

/**
 * Runs `deno test -A --reporter=junit` on some paths.
 *
 * @param paths Test files or folders, relative to `cwd`.
 * @param options Working directory, import map, type checking.
 * @returns The parsed report, exit code and stderr.
 */
export async function runDenoTests(
  paths: string[],
  options: RunOptions,
): Promise<TestRun> {
  const args = ["test", "-A", "--reporter=junit"];
  if (options.importMap) args.push("--import-map", options.importMap);
  if (options.typeCheck === false) args.push("--no-check");
  if (options.parallel) args.push("--parallel");
  const started = performance.now();
  const output = await denoOutput(
    [...args, ...paths],
    options.cwd,
    options.parallel ? { DENO_JOBS: String(options.parallel) } : {},
    options.timeoutSeconds,
  );
  return {
    cases: parseJunit(output.stdout),
    code: output.code,
    stderr: output.stderr,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The lines of a `deno` run's stderr that explain a crash: without blank
 * lines, "Check"/"Download" progress and the Rust backtrace.
 *
 * @param stderr What the run printed.
 * @param max How many lines to keep.
 */
export function crashLines(stderr: string, max: number): string[] {
  return stderr.split("\n").filter((l) =>
    l.trim() !== "" && !/^\s*\d+: /.test(l) &&
    !/^(Stack backtrace|Check |Download )/.test(l)
  ).slice(0, max);
}

/** Runs `deno` with `args` in `cwd`, without colors, and collects what it printed. */
async function denoOutput(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutSeconds?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const signal = timeoutSeconds === undefined
    ? undefined
    : AbortSignal.timeout(timeoutSeconds * 1000);
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal,
  }).output();
  const decoder = new TextDecoder();
  const timedOut = signal?.aborted
    ? `deno ${args[0]} timed out after ${timeoutSeconds} s\n`
    : "";
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: timedOut + decoder.decode(output.stderr),
  };
}

/**
 * Runs any `deno` subcommand quietly.
 *
 * @param args E.g. `["fmt", "--check", "exercises/"]`.
 * @param cwd The repository.
 * @returns The exit code and everything it printed.
 */
export async function runDeno(
  args: string[],
  cwd: string,
): Promise<{ code: number; stderr: string }> {
  const { code, stdout, stderr } = await denoOutput(args, cwd);
  return { code, stderr: stderr + stdout };
}

/**
 * Runs `deno check` on some files.
 *
 * @param paths Files, relative to `cwd`.
 * @param cwd The repository.
 * @returns The exit code and the diagnostics.
 */
export async function runDenoCheck(
  paths: string[],
  cwd: string,
): Promise<{ code: number; stderr: string }> {
  return await runDeno(["check", "--quiet", ...paths], cwd);
}

/**
 * Runs async jobs with at most `limit` at a time, keeping their order.
 *
 * @param jobs The work.
 * @param limit How many run at once.
 */
export async function inParallel<T>(
  jobs: (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, worker),
  );
  return results;
}
