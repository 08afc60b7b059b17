// Shared by the /rest/v1 contract tests: supabase-js clients acting as a given user (tokens minted
// like GoTrue's with the stack's JWT secret), a direct database connection for setup and for
// checking what really happened, and a fixture of fresh users, each with a workspace of their own,
// so the tests run repeatedly and next to other suites without touching the seed.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { testEnv, testKeys, userClaims } from "../../test/env.ts";

export { testEnv, testKeys };

export const SEED = {
  demoUser: "11111111-1111-4111-8111-111111111111",
  demoWorkspace: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  otherUser: "22222222-2222-4222-8222-222222222222",
  otherWorkspace: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
};

/** Direct connection as postgres (bypasses RLS): fixtures and assertions about the real state, never the code under test. */
export function adminDb(): postgres.Sql {
  return postgres(testEnv.DB_URL, { max: 2, onnotice: () => {}, connection: { application_name: "rest-tests" } });
}

/** An access token with GoTrue's claims for this user, signed as the stack's Auth signs. */
export async function userToken(
  userId: string,
  email: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  return await testKeys.sign(userClaims({ id: userId, email }, overrides));
}

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

/** supabase-js as the holder of `token` (the way the SPA calls after sign-in). */
export function clientWithToken(token: string): SupabaseClient {
  return createClient(testEnv.API_URL, testKeys.client, { accessToken: () => Promise.resolve(token) });
}

export function anonClient(): SupabaseClient {
  return createClient(testEnv.API_URL, testKeys.client, clientOptions);
}

export function serviceClient(): SupabaseClient {
  return createClient(testEnv.API_URL, testKeys.server, clientOptions);
}

/** Plain fetch for what supabase-js cannot send (bad bodies, Range headers, odd content types). */
export async function rest(
  path: string,
  init: RequestInit & { token?: string; apikey?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const headers = new Headers(init.headers);
  if (!headers.has("apikey")) headers.set("apikey", init.apikey ?? testKeys.client);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const response = await fetch(`${testEnv.API_URL}/rest/v1${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  client: SupabaseClient;
  /** The personal workspace the signup trigger created for this user. */
  workspaceId: string;
}

export interface Fixture {
  db: postgres.Sql;
  alice: TestUser;
  bob: TestUser;
  /** Removes both users, their workspaces and everything in them. */
  cleanup(): Promise<void>;
}

async function createUser(db: postgres.Sql, label: string): Promise<TestUser> {
  const id = crypto.randomUUID();
  const email = `rest-${label}-${id.slice(0, 8)}@example.test`;
  await db`
    insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data,
                            raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email}, now(),
            '{"provider": "email", "providers": ["email"]}', ${
    db.json({ workspace_name: `REST ${label}` })
  }, now(), now())`;
  const [workspace] = await db`select id from public.workspaces where created_by = ${id}`;
  const token = await userToken(id, email);
  return { id, email, token, client: clientWithToken(token), workspaceId: workspace.id };
}

/**
 * Two fresh users, Alice and Bob, each owning one workspace. Alice's workspace gets `accounts`
 * (inserted directly, so reads can be tested independently of inserts).
 */
export async function createFixture(
  accounts: Array<Record<string, unknown>> = [],
): Promise<Fixture> {
  const db = adminDb();
  const alice = await createUser(db, "alice");
  const bob = await createUser(db, "bob");
  for (const account of accounts) {
    await db`insert into public.accounts ${db({ workspace_id: alice.workspaceId, ...account })}`;
  }
  return {
    db,
    alice,
    bob,
    async cleanup() {
      const workspaces = [alice.workspaceId, bob.workspaceId];
      const users = [alice.id, bob.id];
      await db`delete from public.workspaces where id = any(${workspaces}) or created_by = any(${users})`;
      await db`delete from auth.users where id = any(${users})`;
      await db.end();
    },
  };
}

/** Accounts every read test can rely on (Alice's workspace). */
export const SAMPLE_ACCOUNTS = [
  {
    name: "Acme",
    domain: "acme.com",
    city: "Berlin",
    country: "Germany",
    employee_count: 120,
    metadata: { tier: "gold", score: 9 },
  },
  {
    name: "Beta Labs",
    domain: "betalabs.io",
    city: "Paris",
    country: "France",
    employee_count: 15,
    metadata: { tier: "silver" },
  },
  { name: "Cobalt", domain: "cobalt.dev", city: null, country: "Germany", employee_count: null, metadata: {} },
  {
    name: "Delta Corp",
    domain: "delta.co",
    city: "Austin",
    country: "United States",
    employee_count: 4000,
    metadata: { tier: "gold" },
  },
  { name: "echo systems", domain: null, city: "Berlin", country: "Germany", employee_count: 40, metadata: {} },
];
