// The types suite of npm test: `deno check` of the stack, the scripts and the functions with the
// project's Deno, then of every Edge Function as deployed: on the edge Deno (hosted Edge Runtime's
// line) with the function's own deno.json, so an API newer than that line, or a bare import the
// function's import map lacks, fails here and not on deploy. Last, tsc over the SPA and its e2e tests
// (`npm run typecheck` in web/), which also holds the SPA's types to the generated database types.
//   deno run -A scripts/test/types.ts
import { repoRoot } from "../stack/config.ts";
import { edgeDeno, edgeDenoEnv, functionFlags, functionNames } from "../stack/edge-runtime.ts";

async function check(label: string, binary: string, args: string[], env: Record<string, string> = {}) {
  console.log(`-- ${label}`);
  const child = new Deno.Command(binary, { args, cwd: repoRoot, env, stdout: "inherit", stderr: "inherit" }).spawn();
  return (await child.status).code === 0;
}

const results: boolean[] = [];
results.push(
  await check("scripts and supabase/functions (project Deno)", Deno.execPath(), [
    "check",
    "-q",
    "scripts",
    "supabase/functions",
  ]),
);
const edge = edgeDeno();
for (const name of functionNames()) {
  results.push(
    await check(`${name} (edge Deno, ${name}/deno.json)`, edge, [
      "check",
      "-q",
      ...functionFlags(name),
      `supabase/functions/${name}/index.ts`,
    ], edgeDenoEnv()),
  );
}
results.push(await check("web (tsc: the SPA and its e2e tests)", "npm", ["run", "--silent", "typecheck", "--workspace", "web"]));
Deno.exit(results.every(Boolean) ? 0 : 1);
