// Each function deploys with its own import map: `supabase functions deploy` bundles a function with
// supabase/functions/<name>/deno.json (or the import_map config.toml names for it), and the
// functions import bare names (`postgres`, `zod`, ...). Every entry pins an npm package at the
// version the root package.json pins for Node and the tests: one source of versions. A check of
// this clone, before it is deployed; the types suite checks each function against its map.
import { parse } from "smol-toml";
import { functionNames } from "../../stack/edge-runtime.ts";
import { type Check, fail, pass } from "../lib/context.ts";
import { repoRoot } from "../lib/repo.ts";

export interface ImportMapRepo {
  /** supabase/functions */
  functionsDir: string;
  /** [functions.<name>] of supabase/config.toml */
  functionSettings: Record<string, { import_map?: string }>;
  /** The folder config.toml's paths are relative to (supabase/) */
  configDir: string;
  /** Name -> version, from the root package.json's dependencies and devDependencies */
  pinned: Record<string, string>;
}

export function repoImportMaps(root = repoRoot): ImportMapRepo {
  const toml = parse(Deno.readTextFileSync(`${root}/supabase/config.toml`)) as {
    functions?: Record<string, { import_map?: string }>;
  };
  const pkg = JSON.parse(Deno.readTextFileSync(`${root}/package.json`));
  return {
    functionsDir: `${root}/supabase/functions`,
    functionSettings: toml.functions ?? {},
    configDir: `${root}/supabase`,
    pinned: { ...pkg.devDependencies, ...pkg.dependencies },
  };
}

const NPM_PINNED = /^npm:((?:@[^/@]+\/)?[^/@]+)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(\/.*)?$/;

export interface FunctionMap {
  name: string;
  /** The map's path, relative to the repository when inside it. */
  file?: string;
  /** Bare name -> npm package@version */
  packages: Record<string, string>;
}

/** Each function's map, and what is wrong with the maps, one line per problem an operator can act on. */
export function importMapFindings(repo: ImportMapRepo): { maps: FunctionMap[]; problems: string[] } {
  const problems: string[] = [];
  const maps: FunctionMap[] = [];
  for (const name of functionNames(repo.functionsDir)) {
    const configured = repo.functionSettings[name]?.import_map;
    const file = configured
      ? `${repo.configDir}/${configured.replace(/^\.\//, "")}`
      : `${repo.functionsDir}/${name}/deno.json`;
    const shown = file.replace(`${repo.configDir}/`, "supabase/");
    let imports: Record<string, unknown>;
    try {
      const parsed = JSON.parse(Deno.readTextFileSync(file));
      imports = parsed?.imports;
      if (typeof imports !== "object" || imports === null) throw new SyntaxError('it has no "imports"');
    } catch (error) {
      problems.push(
        error instanceof Deno.errors.NotFound
          ? `${name}: no ${shown}; create it with an "imports" map (bare name -> "npm:<package>@<version>"), ` +
            `which supabase functions deploy bundles the function with`
          : `${name}: ${shown} is not a usable import map: ${(error as Error).message}`,
      );
      maps.push({ name, packages: {} });
      continue;
    }
    const packages: Record<string, string> = {};
    for (const [bare, target] of Object.entries(imports)) {
      const match = typeof target === "string" ? target.match(NPM_PINNED) : null;
      if (!match) {
        problems.push(
          `${name}: "${bare}" -> ${
            JSON.stringify(target)
          } is not an npm package pinned to one version ("npm:<package>@1.2.3")`,
        );
        continue;
      }
      const [, pkg, version] = match;
      packages[bare] = `${pkg}@${version}`;
      const wanted = repo.pinned[pkg];
      if (wanted === undefined) {
        problems.push(
          `${name}: ${pkg} is not in the root package.json, which pins the versions the tests run with; add it there`,
        );
      } else if (wanted !== version) {
        problems.push(`${name}: ${shown} pins ${pkg}@${version}, package.json ${pkg}@${wanted}; make them equal`);
      }
    }
    maps.push({ name, file: shown, packages });
  }
  return { maps, problems };
}

export const importMapsCheck: Check = {
  id: "import-maps",
  title: "functions' import maps pinned",
  run() {
    const { maps, problems } = importMapFindings(repoImportMaps());
    if (problems.length > 0) {
      return Promise.resolve(
        fail(`${problems.length} problem(s) in the functions' import maps: ${problems[0]}`, problems),
      );
    }
    const versions = [...new Set(maps.flatMap((m) => Object.values(m.packages)))].sort();
    return Promise.resolve(pass(
      `${maps.length} functions, each with its deno.json (${versions.join(", ")}, as in package.json)`,
      maps.map((m) => `${m.name}: ${m.file}`),
    ));
  },
};
