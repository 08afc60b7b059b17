// The soak's data: workspaces with Apollo keys of their own, one account per job, an audit of every
// write of enrichment to an account (so "enriched exactly once" is counted, not assumed), and the
// backoff knob. Everything lives in workspaces named "Soak <run>", removed by cleanup().
import type postgres from "postgres";
import { encryptApiKey } from "../../supabase/functions/_shared/crypto/apollo-key.ts";
import type { StackConfig } from "../stack/config.ts";
import type { Profile } from "./profile.ts";

export interface SoakWorkspace {
  id: string;
  index: number;
  apolloKey: string;
  accountIds: string[];
}

export interface Fixture {
  run: string;
  workspaces: SoakWorkspace[];
  /** The workspace whose key the fake Apollo answers 401 for a share of requests. */
  unauthorizedWorkspace: SoakWorkspace;
  workspaceIds: string[];
}

/**
 * Test instrumentation, not product code: a row in soak.account_applies for every UPDATE that sets
 * accounts.enriched_at, which only apply_account_enrichment does. Dropped by removeAudit().
 */
const AUDIT_SQL = `
create schema if not exists soak;
create table if not exists soak.account_applies (
  id bigint generated always as identity primary key,
  account_id uuid not null,
  workspace_id uuid not null,
  txid bigint not null default txid_current(),
  at timestamptz not null default clock_timestamp()
);
create or replace function soak.record_apply() returns trigger
language plpgsql
set search_path = ''
as $fn$
begin
  insert into soak.account_applies (account_id, workspace_id) values (new.id, new.workspace_id);
  return null;
end
$fn$;
drop trigger if exists soak_record_apply on public.accounts;
create trigger soak_record_apply after update of enriched_at on public.accounts
  for each row execute function soak.record_apply();
`;

export async function installAudit(sql: postgres.Sql) {
  await sql.unsafe(AUDIT_SQL);
}

export async function removeAudit(sql: postgres.Sql) {
  await sql.unsafe(`drop trigger if exists soak_record_apply on public.accounts; drop schema if exists soak cascade;`);
}

/** The backoff knob (retry_backoff_seconds in supabase/migrations/20261129000700_queue_worker_calls.sql); null removes it. */
export async function setBackoffBase(sql: postgres.Sql, seconds: number | null) {
  if (seconds === null) {
    await sql`delete from private.settings where key = 'retry_backoff_base_seconds'`;
  } else {
    await sql`insert into private.settings (key, value) values ('retry_backoff_base_seconds', ${String(seconds)})
              on conflict (key) do update set value = excluded.value, updated_at = now()`;
  }
}

/** Domain of the n-th account of workspace w; no-match ones end in .invalid (the fake knows none of those). */
export function accountDomain(run: string, w: number, n: number, noMatch: boolean): string {
  return `acct${n}-w${w}.soak-${run}.${noMatch ? "invalid" : "example"}`;
}

export async function createFixture(
  sql: postgres.Sql,
  config: StackConfig,
  profile: Profile,
  random: () => number,
): Promise<Fixture> {
  const run = crypto.randomUUID().slice(0, 8);
  const keyEnv = { get: (k: string) => (k === "APOLLO_KEY_ENCRYPTION_KEY" ? config.apolloKeyEncryptionKey : undefined) };
  const perWorkspace = Array.from(
    { length: profile.workspaces },
    (_, w) => Math.floor(profile.jobs / profile.workspaces) + (w < profile.jobs % profile.workspaces ? 1 : 0),
  );
  const workspaces: SoakWorkspace[] = [];
  for (let w = 0; w < profile.workspaces; w++) {
    const [ws] = await sql<{ id: string }[]>`
      insert into public.workspaces (name) values (${`Soak ${run} #${String(w).padStart(2, "0")}`}) returning id`;
    // A plain key (not the mock's test-key-12345), so every job really calls the fake Apollo.
    // Ends in the workspace's number, so the last four characters (all the fake's log keeps) tell workspaces apart.
    const apolloKey = `soak-${run}-${crypto.randomUUID().slice(0, 8)}-${String(w).padStart(4, "0")}`;
    const ciphertext = await encryptApiKey(apolloKey, ws.id, keyEnv);
    await sql`update public.workspace_settings
              set apollo_api_key_encrypted = ${ciphertext}, apollo_api_key_last4 = ${apolloKey.slice(-4)}
              where workspace_id = ${ws.id}`;
    const rows = Array.from({ length: perWorkspace[w] }, (_, n) => {
      const domain = accountDomain(run, w, n, random() < profile.noMatchRate);
      return { workspace_id: ws.id, name: `Soak account ${n} of workspace ${w}`, domain };
    });
    const accounts = rows.length
      ? await sql<{ id: string }[]>`insert into public.accounts ${sql(rows)} returning id`
      : [];
    workspaces.push({ id: ws.id, index: w, apolloKey, accountIds: accounts.map((a) => a.id) });
  }
  const unauthorizedWorkspace = workspaces[Math.floor(random() * workspaces.length)];
  return { run, workspaces, unauthorizedWorkspace, workspaceIds: workspaces.map((w) => w.id) };
}

/** Queues one job per account of the workspace in ONE statement: one pg_net wake-up, like a bulk Enrich. */
export async function enqueueWorkspace(sql: postgres.Sql, ws: SoakWorkspace): Promise<number> {
  const rows = await sql`
    insert into public.jobs (workspace_id, job_type, payload)
    select a.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain)
    from public.accounts a where a.id = any(${ws.accountIds}::uuid[])
    returning id`;
  return rows.length;
}

export async function removeFixture(sql: postgres.Sql, fixture: Fixture) {
  await sql`delete from public.workspaces where id = any(${fixture.workspaceIds}::uuid[])`;
}
