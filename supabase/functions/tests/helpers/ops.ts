// Helpers for the operations tests (ops_*_test.ts, deploy_*_test.ts): worker calls made through
// pg_net and awaited, and the settings and Vault secrets those tests change and must put back.
import { sql } from "./stack.ts";
import { setTimeout as sleep } from "node:timers/promises";

export interface Invocation {
  request_id: string;
  reason: string;
  status_code: number | null;
  outcome: string;
}

/** Queues `count` worker calls through private.invoke_worker (as cron does) and waits for their answers. */
export async function invokeWorkerAndWait(reason: string, count = 1, timeoutMs = 20_000): Promise<Invocation[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const [{ id }] = await sql<{ id: string }[]>`select private.invoke_worker(${reason})::text as id`;
    if (id === null) throw new Error("private.invoke_worker queued nothing: project_url / worker_secret_token missing");
    ids.push(id);
  }
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const rows = await sql<Invocation[]>`
      select request_id::text, reason, status_code, outcome from ops.worker_invocations
      where request_id = any(${ids}::bigint[]) and reason = ${reason}`;
    if (rows.length === ids.length && rows.every((r) => r.outcome !== "waiting")) return rows;
    if (Date.now() > deadline) {
      throw new Error(`worker calls ${ids.join(", ")} got no answer in ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    }
    await sleep(100);
  }
}

/** Runs fn with private.settings values replaced, and puts the old ones back (or removes them) after. */
export async function withSettings<T>(values: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const keys = Object.keys(values);
  const before = await sql<
    { key: string; value: string }[]
  >`select key, value from private.settings where key = any(${keys})`;
  try {
    for (const [key, value] of Object.entries(values)) {
      await sql`insert into private.settings (key, value) values (${key}, ${value})
                on conflict (key) do update set value = excluded.value, updated_at = now()`;
    }
    return await fn();
  } finally {
    for (const key of keys) {
      const old = before.find((b) => b.key === key);
      if (old) await sql`update private.settings set value = ${old.value}, updated_at = now() where key = ${key}`;
      else await sql`delete from private.settings where key = ${key}`;
    }
  }
}

/** Stores a Vault secret as an operator does: vault.create_secret, or vault.update_secret when it exists. */
async function setVaultSecret(name: string, value: string) {
  const [existing] = await sql<{ id: string }[]>`select id from vault.secrets where name = ${name}`;
  if (existing) await sql`select vault.update_secret(${existing.id}::uuid, ${value})`;
  else await sql`select vault.create_secret(${value}, ${name})`;
}

/**
 * Runs fn with Vault secrets replaced (project_url and worker_secret_token are read from Vault
 * only), and puts the old values back (or removes the secrets) after.
 */
export async function withVaultSecrets<T>(values: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const names = Object.keys(values);
  const before = await sql<{ name: string; value: string }[]>`
    select name, decrypted_secret as value from vault.decrypted_secrets where name = any(${names})`;
  try {
    for (const [name, value] of Object.entries(values)) await setVaultSecret(name, value);
    return await fn();
  } finally {
    for (const name of names) {
      const old = before.find((b) => b.name === name);
      if (old) await setVaultSecret(name, old.value);
      else await sql`delete from vault.secrets where name = ${name}`;
    }
  }
}

/** GET health with the stack's worker token. */
export async function workerHealth(token: string, url: string) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}
