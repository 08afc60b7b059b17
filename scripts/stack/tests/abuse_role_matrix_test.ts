// docs/security.md's "who can call what" is generated from the catalog; this fails when the
// database (a migration's grants, policies or functions) and the document diverge.
// Fix: deno run -A scripts/security/role-matrix.ts --write (against an up-to-date stack), then review the diff.
import assert from "node:assert/strict";
import postgres from "postgres";
import { parse } from "smol-toml";
import { repoRoot } from "../config.ts";
import { DOC, documentedMatrix, roleMatrix } from "../../security/role-matrix.ts";
import { testEnv } from "../../test/env.ts";

Deno.test("docs/security.md's role matrix matches the live catalog", async () => {
  const sql = postgres(testEnv.DB_URL, { max: 1, onnotice: () => {} });
  try {
    const live = await roleMatrix(sql);
    const documented = documentedMatrix(await Deno.readTextFile(DOC));
    assert.ok(documented !== null, "docs/security.md has the role-matrix markers");
    assert.equal(
      documented,
      live,
      "docs/security.md is out of date with the database: run `deno run -A scripts/security/role-matrix.ts --write` and review the diff",
    );
  } finally {
    await sql.end();
  }
});

// The check above is only as good as what the matrix shows: a migration that widens a column grant,
// a sequence grant, a default privilege or the exposed schemas must change the matrix, so that the
// document goes out of date and the check fails. Each change is made in a transaction that rolls back.
Deno.test("the role matrix shows column grants, sequence grants and default privileges", async () => {
  const sql = postgres(testEnv.DB_URL, { max: 1, onnotice: () => {} });
  const widenings = [
    ["a member may set enriched_at", "grant update (enriched_at) on public.accounts to authenticated"],
    ["a member may set a contact's created_by", "grant insert (created_by) on public.contacts to authenticated"],
    ["a member may move a sequence", "grant update on sequence public.job_actions_id_seq to authenticated"],
    ["new tables in public open to anon", "alter default privileges for role postgres in schema public grant select on tables to anon"],
    ["new functions anywhere executable by PUBLIC", "alter default privileges for role postgres grant execute on functions to public"],
    ["a private function executable by the service role", "grant execute on function private.setting(text) to service_role"],
  ];
  class Rollback extends Error {}
  try {
    const baseline = await roleMatrix(sql);
    for (const [what, statement] of widenings) {
      let widened = "";
      await sql.begin(async (tx) => {
        await tx.unsafe(statement);
        widened = await roleMatrix(tx as unknown as postgres.Sql);
        throw new Rollback();
      }).catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
      assert.notEqual(widened, baseline, `${what} (${statement}) must show in the role matrix`);
    }
  } finally {
    await sql.end();
  }
});

Deno.test("only public is exposed over the API, as docs/security.md says", async () => {
  const toml = parse(await Deno.readTextFile(`${repoRoot}/supabase/config.toml`)) as { api?: { schemas?: string[] } };
  assert.deepEqual(toml.api?.schemas, ["public"]);
});
