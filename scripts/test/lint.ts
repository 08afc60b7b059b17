// The lint suite of npm test: `deno lint` with the repository's rules (no-import-prefix among them:
// the scripts import bare names, which package.json pins), then supabase/functions again on their
// own: the functions import bare names, which each function's deno.json maps to a pinned npm
// package, as `supabase functions deploy` bundles them.
//   deno run -A scripts/test/lint.ts
import { repoRoot } from "../stack/config.ts";

async function lint(label: string, args: string[]) {
  console.log(`-- ${label}`);
  const child = new Deno.Command(Deno.execPath(), { args, cwd: repoRoot, stdout: "inherit", stderr: "inherit" })
    .spawn();
  return (await child.status).code === 0;
}

const results = [
  await lint("scripts, supabase/functions, examples", ["lint", "-q", "scripts", "supabase/functions", "examples"]),
  await lint("supabase/functions: bare imports only (no-import-prefix)", [
    "lint",
    "-q",
    "--no-config",
    "--rules-include=no-import-prefix",
    "supabase/functions",
  ]),
];
Deno.exit(results.every(Boolean) ? 0 : 1);
