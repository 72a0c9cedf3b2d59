/**
 * The folders of lib/ are layers: a module may import from its own folder and
 * from folders below it, never above. The library that mod.ts exports stops
 * at `train`; the report, the exercise tools, the command line and the bench
 * sit on top of it. These tests read every import and fail on one that points
 * the wrong way, naming the file and the import.
 */

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const REPO = new URL("../", import.meta.url).pathname;

/** lib/'s folders, lowest first; the README's layout section lists the same. */
const LAYERS = [
  "base",
  "kernels",
  "nn",
  "optim",
  "data",
  "train",
  "report",
  "kit",
  "lab",
  "cli",
  "bench",
] as const;

/** The highest layer that the library exported by mod.ts may reach. */
const LIBRARY_TOP = "train";

function rankOf(path: string): number {
  const [top, folder] = relative(REPO, path).split("/");
  if (top !== "lib") return outsideRank(relative(REPO, path));
  const rank = LAYERS.indexOf(folder as typeof LAYERS[number]);
  if (rank < 0) throw new Error(`lib/${folder} is not a known layer`);
  return rank;
}

/**
 * Paths outside lib/ that a module may name: the repository root (for
 * curriculum paths), deno.json (the kit's version) and the data cache sit
 * below every layer; bin/ (the bench runs `bin/train.ts` as a subprocess, to
 * measure exactly what `deno task train` does) sits at the bench's level.
 * Anything else (mod.ts, tests/, tools/, the exercises) is above all of lib/.
 */
function outsideRank(path: string): number {
  if (path === "" || path === "deno.json" || path === "data") return -1;
  if (path.startsWith("bin/")) return LAYERS.indexOf("bench");
  return Infinity;
}

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* modules(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** Relative specifiers in `import`/`export ... from`, `import()` and `new URL()`. */
export function relativeImports(source: string): string[] {
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)["'](\.{1,2}\/[^"']*)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1]);
}

interface Edge {
  from: string;
  to: string;
}

async function libraryEdges(): Promise<Edge[]> {
  const edges: Edge[] = [];
  for await (const path of modules(join(REPO, "lib"))) {
    if (path.endsWith("_test.ts")) continue; // tests may reach any layer
    const source = await Deno.readTextFile(path);
    for (const spec of relativeImports(source)) {
      edges.push({ from: path, to: resolve(dirname(path), spec) });
    }
  }
  return edges;
}

Deno.test("relativeImports finds static, dynamic, re-export and URL imports", () => {
  const source = [
    `import { a } from "./a.ts";`,
    `export { b } from "../b/b.ts";`,
    `const c = await import("./c.ts");`,
    `new Worker(new URL("./w.ts", import.meta.url));`,
    `import "node:fs"; import x from "npm:y";`,
  ].join("\n");
  assert.deepEqual(relativeImports(source), [
    "./a.ts",
    "../b/b.ts",
    "./c.ts",
    "./w.ts",
  ]);
});

Deno.test("every folder of lib/ is a known layer", async () => {
  for await (const entry of Deno.readDir(join(REPO, "lib"))) {
    if (entry.isFile) {
      assert.fail(`lib/${entry.name} sits outside every layer folder`);
    }
    assert.ok(
      LAYERS.includes(entry.name as typeof LAYERS[number]),
      `lib/${entry.name} is not in LAYERS (tests/architecture_test.ts)`,
    );
  }
});

Deno.test("no module in lib/ imports from a layer above its own", async () => {
  const upward = (await libraryEdges())
    .filter(({ from, to }) => rankOf(to) > rankOf(from))
    .map(({ from, to }) => `${relative(REPO, from)} -> ${relative(REPO, to)}`);
  assert.deepEqual(upward, [], "imports that point up a layer");
});

Deno.test("mod.ts exports only the library: nothing from report, kit, cli or bench", async () => {
  const source = await Deno.readTextFile(join(REPO, "mod.ts"));
  const top = LAYERS.indexOf(LIBRARY_TOP);
  const outside = relativeImports(source)
    .map((spec) => resolve(REPO, spec))
    .filter((path) => path.startsWith(join(REPO, "lib")))
    .filter((path) => rankOf(path) > top)
    .map((path) => relative(REPO, path));
  assert.deepEqual(outside, [], "mod.ts reaches above lib/train");
});
