// Shared by the abuse suites (scripts/stack/tests/abuse_*_test.ts and
// supabase/functions/tests/abuse_*_test.ts): the ways a caller can be wrong about who they are,
// a check that an answer is a 4xx carrying a JSON message, and a fingerprint of the database to
// prove that hostile requests changed nothing. The hostile inputs themselves are abuse_inputs.ts.
import assert from "node:assert/strict";
import type postgres from "postgres";
import { signHs256 } from "../jwt.ts";
import { testEnv, testKeys, userClaims } from "../../test/env.ts";

export { testEnv, testKeys };

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export async function answer(response: Response): Promise<Answer> {
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The message of a JSON error body, whichever service wrote it (PostgREST, GoTrue, our functions, the gateway). */
export function messageOf(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const message = [b.message, b.error, b.msg, b.error_description].find((m) => typeof m === "string" && m.trim() !== "");
  return (message as string | undefined) ?? null;
}

/** A client error (4xx) with a JSON body that says what is wrong: never a 5xx, never an empty or HTML body. */
export function assertClientError(a: Answer, what: string, allowed?: number[]): void {
  const detail = `${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`;
  assert.ok(a.status >= 400 && a.status < 500, `expected a 4xx, got ${detail}`);
  if (allowed) assert.ok(allowed.includes(a.status), `expected one of ${allowed.join("/")}, got ${detail}`);
  assert.match(a.headers.get("content-type") ?? "", /application\/json/, `JSON content type: ${detail}`);
  assert.ok(messageOf(a.text), `a JSON message: ${detail}`);
}

/** A 2xx or a 4xx with a JSON message; never a 5xx. For inputs that may legitimately be valid. */
export function assertNotServerError(a: Answer, what: string): void {
  assert.ok(a.status < 500, `expected no 5xx, got ${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`);
  if (a.status >= 400) assertClientError(a, what);
}

// ------------------------------------------------------------------------------------------- tokens

const now = () => Math.floor(Date.now() / 1000);

function base64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Tokens that must never get a caller in: each is refused with a 401 (PostgREST, functions) or a
 * 401/403 (GoTrue's /user). `user` is who the forgery pretends to be. On a stack with signing keys
 * the legacy ways in are among them: an HS256 token signed with the legacy JWT secret, and one
 * signed with the public key as an HS256 secret.
 */
export async function badTokens(user: { id: string; email: string }): Promise<Array<[string, string]>> {
  const claims = userClaims(user);
  const [header, body, signature] = (await testKeys.sign(claims)).split(".");
  const otherBody = base64url(JSON.stringify({ ...claims, role: "service_role" }));
  const unknownKid = base64url(JSON.stringify({ alg: "ES256", kid: crypto.randomUUID(), typ: "JWT" }));
  const legacyOnly: Array<[string, string]> = testKeys.legacy ? [] : [
    ["HS256 signed with the legacy JWT secret", await signHs256(claims, testKeys.legacyKeys.jwtSecret)],
    ["HS256 signed with the public key as the secret", await signHs256(claims, JSON.stringify(testKeys.jwks.keys[0]))],
    ["a kid that is not in the JWKS", `${unknownKid}.${body}.${signature}`],
  ];
  return [
    ["forged (signed with another key)", await testKeys.signForeign(claims)],
    ["expired", await testKeys.sign({ ...claims, iat: now() - 7200, exp: now() - 60 })],
    ["alg none", `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${body}.`],
    ["alg HS512 header on a real signature", `${base64url(JSON.stringify({ alg: "HS512", typ: "JWT" }))}.${body}.${signature}`],
    ...legacyOnly,
    ["claims swapped under a valid signature (role escalation)", `${header}.${otherBody}.${signature}`],
    ["signature cut off", `${header}.${body}.`],
    ["two parts", `${header}.${body}`],
    ["not a JWT", "not-a-jwt"],
    ["garbage base64", "%%%.###.$$$"],
    ["empty claims object with a bad signature", `${header}.${base64url("{}")}.${signature}`],
  ];
}

// ------------------------------------------------------------------------------------ db fingerprint

/** Tables every API route can reach, with how their rows belong to workspaces. */
const SCOPED = [
  ["public.workspaces", "id"],
  ["public.workspace_members", "workspace_id"],
  ["public.workspace_settings", "workspace_id"],
  ["public.accounts", "workspace_id"],
  ["public.contacts", "workspace_id"],
  ["public.jobs", "workspace_id"],
  ["public.job_logs", "workspace_id"],
  ["public.job_actions", "workspace_id"],
] as const;

/** Row counts of tables that nothing in the background writes to (pg_cron's worker only touches jobs' own rows). */
const COUNTED = [
  "public.workspaces",
  "public.workspace_members",
  "public.workspace_settings",
  "public.accounts",
  "public.contacts",
  "public.jobs",
  "public.job_actions",
  "auth.users",
  "auth.identities",
  "auth.sessions",
  "auth.refresh_tokens",
];

/**
 * A fingerprint of the database as the abuse tests see it: every row of the given workspaces
 * (md5 of the rows' text, so an UPDATE shows too), the users' rows, and global row counts.
 */
export async function fingerprint(
  db: postgres.Sql,
  scope: { workspaceIds: string[]; userIds: string[] },
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, column] of SCOPED) {
    const [row] = await db.unsafe(
      `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') as f
       from ${table} t where ${column} = any($1::uuid[])`,
      [scope.workspaceIds],
    );
    out[`${table} (fixture rows)`] = row.f;
  }
  const [users] = await db`
    select count(*)::text || ':' || coalesce(md5(string_agg(u::text, '|' order by u::text)), '-') as f
    from auth.users u where id = any(${scope.userIds}::uuid[])`;
  out["auth.users (fixture rows)"] = users.f;
  for (const table of COUNTED) {
    const [row] = await db.unsafe(`select count(*)::text as n from ${table}`);
    out[`${table} (count)`] = row.n;
  }
  return out;
}

/** Runs fn and asserts the fingerprint did not move. */
export async function unchanged<T>(
  db: postgres.Sql,
  scope: { workspaceIds: string[]; userIds: string[] },
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  const before = await fingerprint(db, scope);
  const result = await fn();
  const after = await fingerprint(db, scope);
  assert.deepEqual(after, before, `${what}: the database changed`);
  return result;
}
