/**
 * A scratch copy of the kit (entry points, lib/, exercises/, solutions/,
 * curriculum.json and deno.json), for tests that must break what the
 * commands read from the repository itself: curriculum.json or the
 * learner's exercises. Run its entry points with `runScript(script, args,
 * root)` (tests/helpers/cli.ts).
 */
import { join } from "node:path";

const repo = new URL("../../", import.meta.url).pathname;
const COPIED = [
  "bin",
  "tools",
  "lib",
  "exercises",
  "solutions",
  "curriculum.json",
  "deno.json",
  "deno.lock",
];

/**
 * Copies the kit into a new temporary folder.
 *
 * @param options `exercisesFrom: "solutions"` puts the reference answers
 * where the learner's code goes (a finished learner).
 * @returns The copy's folder; the caller removes it.
 */
export async function copyKit(
  options: { exercisesFrom?: "solutions" } = {},
): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "scratch_kit_" });
  const copied = await new Deno.Command("cp", {
    args: ["-r", ...COPIED.map((name) => join(repo, name)), root],
  }).output();
  if (!copied.success) throw new Error(`cannot copy the kit into ${root}`);
  if (options.exercisesFrom === "solutions") {
    await new Deno.Command("cp", {
      args: ["-r", join(root, "solutions") + "/.", join(root, "exercises")],
    }).output();
  }
  return root;
}
