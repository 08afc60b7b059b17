// Re-encrypts the stored Apollo keys under the current APOLLO_KEY_ENCRYPTION_KEY, the step of a
// key rotation that lets APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS be removed without losing any key
// (docs/deploy.md, "Rotate the Apollo key encryption key"). Uses the functions' own crypto module,
// so the format is the one they read.
//
//   APOLLO_KEY_ENCRYPTION_KEY=<new> APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS=<old> \
//     node_modules/.bin/deno run -A scripts/deploy/reencrypt-apollo-keys.ts --db-url <DB_URL> [--dry-run] [--workspace <uuid>]...
//
// Per workspace with a stored key: already under the new key -> left alone; under the previous
// key -> decrypted and encrypted again under the new one (the UPDATE only applies if the stored
// value is still the one read, so a key saved meanwhile is never overwritten); under neither ->
// reported (its owners must save the key again). Keys are never printed. Exit status 1 when any
// key is under neither key (or could not be written), 0 otherwise; run it again: it is idempotent.
import { parseArgs as nodeParseArgs } from "node:util";
import postgres from "postgres";
import { decryptApiKey, encryptApiKey } from "../../supabase/functions/_shared/crypto/apollo-key.ts";
import type { EnvReader } from "../../supabase/functions/_shared/environment.ts";

const USAGE = `Usage: APOLLO_KEY_ENCRYPTION_KEY=<new> APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS=<old> \\
  node_modules/.bin/deno run -A scripts/deploy/reencrypt-apollo-keys.ts --db-url <DB_URL> [--dry-run] [--workspace <uuid>]...`;

export interface Report {
  current: string[];
  reencrypted: string[];
  changedMeanwhile: string[];
  undecryptable: string[];
}

/** Only the named keys of an env, so a decryption can be tried with one key at a time. */
function only(env: EnvReader, names: string[]): EnvReader {
  return { get: (name) => (names.includes(name) ? env.get(name) : undefined) };
}

async function decryptsWith(stored: string, workspaceId: string, env: EnvReader): Promise<string | null> {
  try {
    return await decryptApiKey(stored, workspaceId, env);
  } catch (error) {
    if ((error as Error).name === "KeyDecryptionError") return null;
    throw error; // a missing or malformed encryption key: say so, do not guess
  }
}

export async function reencrypt(
  sql: postgres.Sql,
  env: EnvReader,
  { dryRun = false, workspaces }: { dryRun?: boolean; workspaces?: string[] } = {},
): Promise<Report> {
  const current = only(env, ["APOLLO_KEY_ENCRYPTION_KEY"]);
  const previousKey = env.get("APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS");
  // the previous key, read as if it were the current one
  const previous: EnvReader | null = previousKey
    ? { get: (name) => (name === "APOLLO_KEY_ENCRYPTION_KEY" ? previousKey : undefined) }
    : null;
  const rows = await sql<{ workspace_id: string; apollo_api_key_encrypted: string }[]>`
    select workspace_id, apollo_api_key_encrypted from public.workspace_settings
    where apollo_api_key_encrypted is not null
      ${workspaces ? sql`and workspace_id = any(${workspaces}::uuid[])` : sql``}
    order by workspace_id`;
  const report: Report = { current: [], reencrypted: [], changedMeanwhile: [], undecryptable: [] };
  for (const row of rows) {
    const id = row.workspace_id;
    if ((await decryptsWith(row.apollo_api_key_encrypted, id, current)) !== null) {
      report.current.push(id);
      continue;
    }
    const plaintext = previous ? await decryptsWith(row.apollo_api_key_encrypted, id, previous) : null;
    if (plaintext === null) {
      report.undecryptable.push(id);
      continue;
    }
    if (dryRun) {
      report.reencrypted.push(id);
      continue;
    }
    const ciphertext = await encryptApiKey(plaintext, id, current);
    const updated = await sql`
      update public.workspace_settings set apollo_api_key_encrypted = ${ciphertext}
      where workspace_id = ${id} and apollo_api_key_encrypted = ${row.apollo_api_key_encrypted}`;
    (updated.count === 1 ? report.reencrypted : report.changedMeanwhile).push(id);
  }
  return report;
}

function parseArgs(args: string[]) {
  const { values } = nodeParseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      "db-url": { type: "string" },
      workspace: { type: "string", multiple: true },
      "dry-run": { type: "boolean", default: false },
    },
  });
  if (!values["db-url"]) throw new Error("missing --db-url");
  return { dbUrl: values["db-url"], dryRun: values["dry-run"], workspaces: values.workspace?.length ? values.workspace : undefined };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(Deno.args);
  } catch (error) {
    console.error(`reencrypt-apollo-keys: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!Deno.env.get("APOLLO_KEY_ENCRYPTION_KEY")) {
    console.error(`reencrypt-apollo-keys: APOLLO_KEY_ENCRYPTION_KEY (the new key) is not set\n${USAGE}`);
    return 2;
  }
  if (!Deno.env.get("APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS")) {
    console.error(
      "reencrypt-apollo-keys: APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS is not set: only checking which keys the current key decrypts",
    );
  }
  const sql = postgres(args.dbUrl, { max: 1, idle_timeout: 2, connect_timeout: 10, onnotice: () => {} });
  try {
    const report = await reencrypt(sql, Deno.env, args);
    const verb = args.dryRun ? "would be re-encrypted" : "re-encrypted";
    console.log(`already under the current key: ${report.current.length}`);
    console.log(`${verb} (were under the previous key): ${report.reencrypted.length}`);
    if (report.changedMeanwhile.length > 0) {
      console.log(
        `saved again meanwhile, left as saved: ${report.changedMeanwhile.length} (${
          report.changedMeanwhile.join(", ")
        })`,
      );
    }
    if (report.undecryptable.length > 0) {
      console.log(
        `under neither key, must be saved again in Settings -> API: ${report.undecryptable.length} (workspaces ${
          report.undecryptable.join(", ")
        })`,
      );
    }
    const done = report.undecryptable.length === 0 && (args.dryRun ? report.reencrypted.length === 0 : true);
    console.log(
      report.undecryptable.length > 0
        ? "Not done: keep APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS until those keys are saved again (or accept losing them)."
        : done
        ? "Done: every stored key is under the current key; APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS can be unset."
        : "Dry run: run again without --dry-run.",
    );
    return report.undecryptable.length > 0 ? 1 : 0;
  } catch (error) {
    console.error(`reencrypt-apollo-keys: ${(error as Error).message}`);
    return 1;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

if (import.meta.main) Deno.exit(await main());
