// The committed sample CSVs are their generators' output (so a change to one is made in the script).
import assert from "node:assert/strict";
import { SAMPLE_FILE, sampleAccountsCsv } from "./sample-accounts.ts";
import { SAMPLE_CONTACTS_FILE, sampleContactsCsv } from "./sample-contacts.ts";

Deno.test("supabase/sample-accounts.csv is scripts/db/sample-accounts.ts's output", async () => {
  assert.equal(await Deno.readTextFile(SAMPLE_FILE), sampleAccountsCsv());
});

Deno.test("supabase/sample-contacts.csv is scripts/db/sample-contacts.ts's output", async () => {
  assert.equal(await Deno.readTextFile(SAMPLE_CONTACTS_FILE), sampleContactsCsv());
});
