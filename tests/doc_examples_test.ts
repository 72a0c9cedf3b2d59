/**
 * Every symbol mod.ts exports carries an `@example`, and `deno task test`
 * runs them all (`--doc`): the library's documentation is checked code.
 */
import assert from "node:assert/strict";

const REPO = new URL("../", import.meta.url).pathname;

interface DocSymbol {
  name: string;
  declarations: { jsDoc?: { tags?: { kind: string }[] } }[];
}

async function exportedSymbols(): Promise<DocSymbol[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts"],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout));
  return doc.nodes[new URL("mod.ts", `file://${REPO}`).href].symbols;
}

Deno.test("every symbol exported from mod.ts has an @example", async () => {
  const symbols = await exportedSymbols();
  assert.ok(symbols.length > 50, `only ${symbols.length} symbols read`);
  const without = symbols
    .filter((symbol) =>
      !symbol.declarations.some((declaration) =>
        declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")
      )
    )
    .map((symbol) => symbol.name);
  assert.deepEqual(without, [], "exports without an @example");
});

Deno.test("deno task test runs the JSDoc examples (--doc)", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));
  assert.match(config.tasks.test, /deno test .*--doc/);
});
