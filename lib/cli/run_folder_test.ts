import assert from "node:assert/strict";
import { epochsText } from "./run_folder.ts";

Deno.test("epochsText: one epoch is singular, every other count plural", () => {
  assert.equal(epochsText(1), "1 epoch");
  assert.equal(epochsText(2), "2 epochs");
  assert.equal(epochsText(15), "15 epochs");
  assert.equal(epochsText(0), "0 epochs");
});
