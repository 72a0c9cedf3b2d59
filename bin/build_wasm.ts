/** `deno task build:wasm`: regenerates lib/kernels/wasm/gemm_wasm.ts from gemm.wat. */
import { writeFileAtomic } from "../lib/base/atomic.ts";
import { runGuarded } from "../lib/cli/guard.ts";
import { buildEmbed, EMBED_URL } from "../lib/kernels/wasm/build.ts";

async function buildWasm(): Promise<number> {
  const text = await buildEmbed();
  await writeFileAtomic(EMBED_URL.pathname, text);
  console.log(`wrote ${EMBED_URL.pathname} (${text.length} characters)`);
  return 0;
}

if (import.meta.main) Deno.exit(await runGuarded(buildWasm, Deno.args));
