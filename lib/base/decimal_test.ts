import assert from "node:assert/strict";
import { parseDecimal } from "./decimal.ts";

Deno.test("parseDecimal() reads decimals and exponents, nothing else", () => {
  for (
    const [text, value] of [
      ["16", 16],
      ["0.05", 0.05],
      ["5e-4", 5e-4],
      [".5", 0.5],
      ["-1", -1],
      ["+2.", 2],
    ] as const
  ) {
    assert.equal(parseDecimal(text), value, text);
  }
  for (
    const text of [
      "0x10",
      "0b1",
      "0o7",
      "",
      " ",
      " 1",
      "1 ",
      "Infinity",
      "NaN",
      "1e",
      "1_000",
      "1,5",
    ]
  ) {
    assert.ok(Number.isNaN(parseDecimal(text)), JSON.stringify(text));
  }
});
