// Imports in the stack-backed tests: a file uploaded to Storage as the demo user (RLS decides, as
// for the SPA), imports of it started with start_import, and the import row's counts as the tests
// read them.
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

/** start_import's arguments other than the file (mapping, kind, on_duplicate, enrich_after). */
export type StartImport = (args: Record<string, unknown>) => Promise<ImportRow>;

/**
 * Uploads `text` as `name` for the demo user, into a new folder of the demo workspace, and runs fn
 * with a start() that imports that file as the demo user; after whatever fn does, the client is
 * closed and `cleanup` is given the ids of the imports it started.
 */
export async function withImportFile(
  name: string,
  text: string,
  fn: (start: StartImport) => Promise<void>,
  cleanup: (importIds: string[]) => Promise<void>,
) {
  const client = await signedInClient(DEMO);
  const importIds: string[] = [];
  try {
    const path = `${DEMO.workspace}/${crypto.randomUUID()}/${name}`;
    const { error } = await client.storage.from("imports").upload(path, new Blob([text], { type: "text/csv" }));
    if (error) throw error;
    await fn(async (args) => {
      const { data, error } = await client.rpc("start_import", { object_path: path, file_name: name, ...args });
      if (error) throw error;
      importIds.push((data as ImportRow).id);
      return data as ImportRow;
    });
  } finally {
    await closeClient(client);
    await cleanup(importIds);
  }
}
