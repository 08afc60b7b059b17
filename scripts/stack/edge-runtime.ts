// How the stack runs and checks the Edge Functions the way `supabase functions deploy` builds them:
// with the Deno of hosted Edge Runtime's line (deno_core 0.324 is Deno 2.1; installed from npm into
// scripts/stack/edge-deno by scripts/setup.sh), and with each function's own deno.json as its only
// configuration. So an API newer than 2.1, or a bare import missing from a function's import map,
// fails here as it would on deploy. The rest of the tooling runs on the project's newer Deno.
import { repoRoot } from "./config.ts";
import { StackError } from "./shell.ts";

export const EDGE_DENO = `${repoRoot}/scripts/stack/edge-deno/node_modules/deno/deno`;
export const FUNCTIONS_DIR = `${repoRoot}/supabase/functions`;

/** The edge Deno's binary; a clear error when scripts/setup.sh has not installed it. */
export function edgeDeno(): string {
  try {
    Deno.statSync(EDGE_DENO);
    return EDGE_DENO;
  } catch {
    throw new StackError(
      "the Deno that runs the Edge Functions (2.1, hosted Edge Runtime's line) is not installed",
      "run npm run setup (it runs npm ci in scripts/stack/edge-deno)",
    );
  }
}

/** Function names: folders of supabase/functions with an index.ts, except _shared and tests. */
export function functionNames(dir = FUNCTIONS_DIR): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isDirectory || entry.name.startsWith("_") || entry.name === "tests") continue;
    try {
      Deno.statSync(`${dir}/${entry.name}/index.ts`);
      names.push(entry.name);
    } catch { /* not a function */ }
  }
  return names.sort();
}

export const functionConfigPath = (name: string) => `${FUNCTIONS_DIR}/${name}/deno.json`;

/**
 * Flags that make the edge Deno see a function as the deploy bundler does: its deno.json and nothing
 * else (not the repository's deno.json, package.json or node_modules), npm packages from the
 * registry at the versions the import map pins, and no lockfile written into the function's folder.
 */
export function functionFlags(name: string): string[] {
  return ["--config", functionConfigPath(name), "--node-modules-dir=none", "--no-lock"];
}

/**
 * The edge Deno downloads the functions' npm packages itself (into the Deno cache). It trusts the
 * operating system's certificates, as npm does, so it works behind a proxy the system trusts.
 */
export function edgeDenoEnv(): Record<string, string> {
  return { DENO_TLS_CA_STORE: Deno.env.get("DENO_TLS_CA_STORE") ?? "system" };
}

const CACHED_STAMP = `${repoRoot}/scripts/stack/edge-deno/node_modules/.functions-deno-json.sha`;

/**
 * Downloads the functions' npm packages into the edge Deno's cache before the functions start, so a
 * first start does not race the gateway's readiness wait; skipped while no deno.json has changed.
 */
export async function cacheFunctionDependencies(): Promise<void> {
  const names = functionNames();
  const maps = names.map((name) => `${name}:${Deno.readTextFileSync(functionConfigPath(name))}`).join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(maps));
  const want = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  const have = await Deno.readTextFile(CACHED_STAMP).catch(() => "");
  if (have.trim() === want) return;
  for (const name of names) {
    const { code, stderr } = await new Deno.Command(edgeDeno(), {
      args: ["cache", "-q", ...functionFlags(name), `${FUNCTIONS_DIR}/${name}/index.ts`],
      env: edgeDenoEnv(),
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new StackError(
        `the edge Deno could not load ${name}'s dependencies:\n${new TextDecoder().decode(stderr).trim()}`,
        `check supabase/functions/${name}/deno.json (every bare import of the function, pinned as npm:<name>@<version>)`,
      );
    }
  }
  await Deno.writeTextFile(CACHED_STAMP, `${want}\n`);
}
