// The crowd the Realtime fan-out benchmark (sections/realtime-fanout.ts) works with: workspaces,
// their members and running jobs, made in SQL, and every member signed in with supabase-js as the
// SPA signs in (POST /auth/v1/token through the stack's gateway), one client (one socket) each.
// Plus "outsiders": users who belong to no workspace with jobs, to try to listen where they must not.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { type StackConfig } from "../../stack/config.ts";
import { envBlock } from "../../stack/status-env.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import type { Sql } from "./db.ts";

export const CROWD_JOB_TYPE = "bench_realtime";
const PASSWORD = "bench-realtime-fanout";

export interface CrowdUser {
  id: string;
  email: string;
  /** A bench workspace for a member; for an outsider, the personal workspace sign-up gave them (no jobs). */
  workspaceId: string;
  /** 0-based place among its workspace's members (outsiders: -1). */
  rank: number;
  client: SupabaseClient;
}

export interface Crowd {
  tag: string;
  workspaceIds: string[];
  /** jobIds[w][j]: the j-th job of workspace w */
  jobIds: string[][];
  members: CrowdUser[];
  outsiders: CrowdUser[];
}

export interface CrowdSize {
  workspaces: number;
  membersPerWorkspace: number;
  jobsPerWorkspace: number;
  outsiders: number;
}

/**
 * Users inserted the way scripts/bench/sections/browser-queries.ts does, with bcrypt cost 4 instead
 * of Auth's 10: at cost 10, hashing and checking 1,000 passwords would take the database ~2 minutes
 * of CPU, which is not what this benchmark measures. The sign-up trigger gives each a workspace.
 */
async function insertUsers(sql: Sql, tag: string, count: number): Promise<Array<{ id: string; email: string }>> {
  return await sql<{ id: string; email: string }[]>`
    with hash as materialized (select extensions.crypt(${PASSWORD}, extensions.gen_salt('bf', 4)) as h),
    u as (
      select gen_random_uuid() as id, ${tag} || '-' || lpad(g::text, 5, '0') || '@bench.example' as email
      from generate_series(1, ${count}::int) g
    ),
    users as (
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email, hash.h, now(),
             '{"provider": "email", "providers": ["email"]}', '{}', now(), now()
      from u, hash
      returning id, email
    )
    insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
    select id, id, jsonb_build_object('sub', id, 'email', email, 'email_verified', true), 'email', now(), now()
    from users
    returning user_id as id, identity_data ->> 'email' as email`;
}

/** Runs fn over items, at most `concurrency` at a time, keeping the order of the results. */
export async function inParallel<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

async function signIn(env: Record<string, string>, email: string): Promise<SupabaseClient> {
  const client = createClient(env.API_URL, env.PUBLISHABLE_KEY ?? env.ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  if (error) throw new Error(`Realtime fan-out: sign-in of ${email} failed: ${error.message}`);
  // supabase-js hands the session's token to Realtime asynchronously; a private join sent before
  // that would go out with the publishable key (anon) and be refused.
  await client.realtime.setAuth();
  return client;
}

export async function createCrowd(sql: Sql, config: StackConfig, size: CrowdSize): Promise<Crowd> {
  const tag = `rt${Date.now().toString(36)}`;
  await registerTestJobType(sql, CROWD_JOB_TYPE);
  const workspaces = await sql<{ id: string }[]>`
    insert into public.workspaces (name)
    select 'Realtime fan-out ' || g from generate_series(1, ${size.workspaces}::int) g
    order by g
    returning id`;
  const workspaceIds = workspaces.map((w) => w.id);
  const memberCount = size.workspaces * size.membersPerWorkspace;
  const users = (await insertUsers(sql, tag, memberCount + size.outsiders)).sort((a, b) =>
    a.email.localeCompare(b.email)
  );
  const memberRows = users.slice(0, memberCount);
  await sql`
    insert into public.workspace_members (workspace_id, user_id, role)
    select w, u, 'member' from unnest(${
    memberRows.map((_, i) => workspaceIds[Math.floor(i / size.membersPerWorkspace)])
  }::uuid[], ${memberRows.map((u) => u.id)}::uuid[]) as m(w, u)`;
  const personal = await sql<{ id: string; created_by: string }[]>`
    select id, created_by from public.workspaces where created_by = any(${users.map((u) => u.id)}::uuid[])`;
  const personalOf = new Map(personal.map((p) => [p.created_by, p.id]));

  // One statement: a single wake-up of the worker, which leaves the type alone (no processor).
  const jobs = await sql<{ id: string; workspace_id: string }[]>`
    insert into public.jobs (workspace_id, job_type, payload)
    select w, ${CROWD_JOB_TYPE}, '{}' from unnest(${workspaceIds}::uuid[]) w, generate_series(1, ${size.jobsPerWorkspace}::int)
    returning id, workspace_id`;
  const jobIds = workspaceIds.map((w) => jobs.filter((j) => j.workspace_id === w).map((j) => j.id));

  const env = await envBlock(config);
  const clients = await inParallel(users, 16, (u) => signIn(env, u.email));
  const members = memberRows.map((u, i) => ({
    ...u,
    workspaceId: workspaceIds[Math.floor(i / size.membersPerWorkspace)],
    rank: i % size.membersPerWorkspace,
    client: clients[i],
  }));
  const outsiders = users.slice(memberCount).map((u, i) => ({
    ...u,
    workspaceId: personalOf.get(u.id)!,
    rank: -1,
    client: clients[memberCount + i],
  }));
  return { tag, workspaceIds, jobIds, members, outsiders };
}

/** Leaves every channel and closes every socket (no deferred disconnect left behind). */
export async function closeCrowd(crowd: Crowd): Promise<void> {
  await inParallel([...crowd.members, ...crowd.outsiders], 50, async (u) => {
    await u.client.removeAllChannels().catch(() => {});
    await u.client.realtime.disconnect().catch(() => {});
  });
}

/** Deletes the crowd's users, their workspaces and the bench workspaces (jobs go with them). */
export async function removeCrowd(sql: Sql, crowd: Crowd): Promise<void> {
  const ids = [...crowd.members, ...crowd.outsiders].map((u) => u.id);
  await sql`delete from public.workspaces where id = any(${crowd.workspaceIds}::uuid[]) or created_by = any(${ids}::uuid[])`;
  await sql`delete from auth.users where id = any(${ids}::uuid[])`;
}
