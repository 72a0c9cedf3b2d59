/** `deno task build:wasm`: regenerates lib/kernels/wasm/gemm_wasm.ts from gemm.wat. */
import { writeFileAtomic } from "../lib/base/atomic.ts";
import { buildEmbed, EMBED_URL } from "../lib/kernels/wasm/build.ts";

if (import.meta.main) {
  const text = await buildEmbed();
  await writeFileAtomic(EMBED_URL.pathname, text);
  console.log(`wrote ${EMBED_URL.pathname} (${text.length} characters)`);
}
