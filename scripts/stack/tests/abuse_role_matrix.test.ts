// docs/security.md's "who can call what" is generated from the catalog; this fails when the
// database (a migration's grants, policies or functions) and the document diverge.
// Fix: deno run -A scripts/security/role-matrix.ts --write (against an up-to-date stack), then review the diff.
import assert from "node:assert/strict";
import postgres from "npm:postgres@3.4.9";
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
