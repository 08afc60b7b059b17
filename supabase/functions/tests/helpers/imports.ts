// Imports in the stack-backed tests: a file uploaded to Storage as the demo user (RLS decides, as
// for the SPA), and the import row's counts as the tests read them.
import { closeClient, DEMO, signedInClient } from "../../../../scripts/stack/tests/auth_realtime_helpers.ts";

export interface ImportRow {
  id: string;
  job_id: string;
  kind: string;
  rows_done: number;
  bytes_done: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  failed_count: number;
  accounts_created: number;
  enrich_jobs: number;
}

/** Uploads text as the demo user into a new folder of the demo workspace; the caller closes the client. */
export async function uploadAsDemo(name: string, text: string) {
  const client = await signedInClient(DEMO);
  try {
    const path = `${DEMO.workspace}/${crypto.randomUUID()}/${name}`;
    const { error } = await client.storage.from("imports").upload(path, new Blob([text], { type: "text/csv" }));
    if (error) throw error;
    return { client, path };
  } catch (error) {
    await closeClient(client);
    throw error;
  }
}
