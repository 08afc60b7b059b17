// The functions' import maps, which `supabase functions deploy` bundles each function with: every
// function folder has its deno.json, every entry pins an npm package at the version package.json
// pins (one source of versions), and verify:deploy's import-maps item says what is wrong otherwise.
import assert from "node:assert/strict";
import { importMapFindings, type ImportMapRepo, repoImportMaps } from "../checks/import-maps.ts";
import { functionNames } from "../../stack/edge-runtime.ts";

Deno.test("each function has its deno.json, and its versions are package.json's", () => {
  const repo = repoImportMaps();
  const { maps, problems } = importMapFindings(repo);
  assert.deepEqual(problems, []);
  assert.deepEqual(maps.map((m) => m.name), functionNames());
  assert.ok(maps.length >= 3);
  for (const map of maps) {
    assert.equal(map.file, `supabase/functions/${map.name}/deno.json`);
    assert.ok(Object.keys(map.packages).length > 0, `${map.name} maps its imports`);
    for (const [bare, spec] of Object.entries(map.packages)) {
      const [, pkg, version] = spec.match(/^(.+)@([^@]+)$/)!;
      assert.equal(pkg, bare, `${map.name}: "${bare}" is the package's own name`);
      assert.equal(version, repo.pinned[pkg], `${map.name}: ${pkg} as package.json pins it`);
    }
  }
  // what the functions import: the database driver and the validation library in all of them
  for (const map of maps) {
    assert.equal(map.packages.postgres, `postgres@${repo.pinned.postgres}`);
    assert.equal(map.packages.zod, `zod@${repo.pinned.zod}`);
  }
});

/** A throwaway repository: supabase/functions/<name>/index.ts (+ deno.json when given). */
function fakeRepo(functions: Record<string, unknown | undefined>, settings: ImportMapRepo["functionSettings"] = {}) {
  const root = Deno.makeTempDirSync();
  for (const [name, denoJson] of Object.entries(functions)) {
    Deno.mkdirSync(`${root}/supabase/functions/${name}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/supabase/functions/${name}/index.ts`, "Deno.serve(() => new Response());\n");
    if (denoJson !== undefined) {
      const text = typeof denoJson === "string" ? denoJson : JSON.stringify(denoJson);
      Deno.writeTextFileSync(`${root}/supabase/functions/${name}/deno.json`, text);
    }
  }
  Deno.mkdirSync(`${root}/supabase/functions/_shared`, { recursive: true });
  const repo: ImportMapRepo = {
    functionsDir: `${root}/supabase/functions`,
    functionSettings: settings,
    configDir: `${root}/supabase`,
    pinned: { postgres: "3.4.9", zod: "4.6.7" },
  };
  return { root, repo, cleanup: () => Deno.removeSync(root, { recursive: true }) };
}

Deno.test("a missing deno.json, an unpinned entry, and a version other than package.json's are each named", () => {
  const { repo, cleanup } = fakeRepo({
    "no-map": undefined,
    "ranged": { imports: { zod: "npm:zod@^4.6.7", postgres: "npm:postgres" } },
    "drifted": { imports: { postgres: "npm:postgres@3.4.8", zod: "npm:zod@4.6.7" } },
    "unknown": { imports: { lodash: "npm:lodash@4.17.21" } },
    "broken": "{ not json",
    "good": { imports: { postgres: "npm:postgres@3.4.9", zod: "npm:zod@4.6.7" } },
  });
  try {
    const { problems } = importMapFindings(repo);
    assert.equal(problems.length, 6, problems.join("\n"));
    assert.match(
      problems.find((p) => p.startsWith("no-map:"))!,
      /no supabase\/functions\/no-map\/deno\.json; create it/,
    );
    assert.ok(problems.some((p) => /^ranged: "zod" -> "npm:zod@\^4\.6\.7" is not an npm package pinned/.test(p)));
    assert.ok(problems.some((p) => /^ranged: "postgres" -> "npm:postgres" is not an npm package pinned/.test(p)));
    assert.ok(
      problems.some((p) =>
        p ===
          "drifted: supabase/functions/drifted/deno.json pins postgres@3.4.8, package.json postgres@3.4.9; make them equal"
      ),
    );
    assert.ok(problems.some((p) => /^unknown: lodash is not in the root package\.json/.test(p)));
    assert.ok(
      problems.some((p) => /^broken: supabase\/functions\/broken\/deno\.json is not a usable import map/.test(p)),
    );
    assert.ok(!problems.some((p) => p.startsWith("good:")));
  } finally {
    cleanup();
  }
});

Deno.test("an import map config.toml names for a function ([functions.<name>] import_map) is the one checked", () => {
  const { root, repo, cleanup } = fakeRepo({ shared: undefined }, {
    shared: { import_map: "./functions/import_map.json" },
  });
  try {
    Deno.writeTextFileSync(
      `${root}/supabase/functions/import_map.json`,
      JSON.stringify({ imports: { zod: "npm:zod@4.6.7" } }),
    );
    const { maps, problems } = importMapFindings(repo);
    assert.deepEqual(problems, []);
    assert.deepEqual(maps, [{
      name: "shared",
      file: "supabase/functions/import_map.json",
      packages: { zod: "zod@4.6.7" },
    }]);
  } finally {
    cleanup();
  }
});
