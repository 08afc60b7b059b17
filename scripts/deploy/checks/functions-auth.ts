// The functions users call (apollo-settings, jobs) are deployed with verify_jwt off and must verify
// the caller themselves. This sends each a forged user token: a user's claims under the project's
// own kid, signed with a key made up on the spot. Each must answer 401 itself (its JSON {error});
// anything that gets past it (200, 400, 403, ...) means it does not check tokens.
import { generateSigningKey, signEs256 } from "../../stack/jwt.ts";
import { type Check, type Context, fail, type Outcome, pass, warn, worst } from "../lib/context.ts";
import { jwksUrl } from "./signing-keys.ts";

interface Probe {
  fn: string;
  request(ctx: Context, token: string): Promise<Response>;
}

const nowhere = () => crypto.randomUUID();

const PROBES: Probe[] = [
  {
    fn: "apollo-settings",
    request: (ctx, token) =>
      fetch(`${ctx.apiUrl}/functions/v1/apollo-settings?workspace_id=${nowhere()}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      }),
  },
  {
    fn: "jobs",
    request: (ctx, token) =>
      fetch(`${ctx.apiUrl}/functions/v1/jobs`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          workspace_id: nowhere(),
          job_type: "enrich_account",
          payload: { account_id: nowhere() },
        }),
        signal: AbortSignal.timeout(30_000),
      }),
  },
];

/** The first kid the project publishes, so the forgery is refused for its signature, not an unknown kid. */
async function projectKid(ctx: Context): Promise<string> {
  try {
    const { keys } = await (await fetch(jwksUrl(ctx.apiUrl), { signal: AbortSignal.timeout(15_000) })).json();
    const kid = (keys as Array<{ kid?: unknown }>).find((k) => typeof k.kid === "string")?.kid;
    if (typeof kid === "string") return kid;
  } catch { /* the signing-keys item reports it */ }
  return crypto.randomUUID();
}

export async function forgedUserToken(ctx: Context): Promise<string> {
  const key = { ...(await generateSigningKey()), kid: await projectKid(ctx) };
  const iat = Math.floor(Date.now() / 1000);
  return await signEs256({
    iss: `${ctx.apiUrl}/auth/v1`,
    sub: crypto.randomUUID(),
    aud: "authenticated",
    role: "authenticated",
    email: "verify-deploy@example.invalid",
    session_id: crypto.randomUUID(),
    aal: "aal1",
    iat,
    exp: iat + 300,
  }, key);
}

/** The verdict on one function's answer to the forged token. */
export function judgeForgedAnswer(fn: string, status: number, text: string): Outcome {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  const said = [body.error, body.message, body.msg].find((m) => typeof m === "string") as string | undefined ??
    text.slice(0, 120);
  const platform = (typeof body.code === "string" && body.code.startsWith("UNAUTHORIZED")) ||
    /invalid jwt|missing authorization header/i.test(said);
  if (status === 401 && platform) {
    return warn(
      `${fn}: refused by the platform's JWT check (401 ${said}), not by the function: deploy it with --no-verify-jwt, ` +
        "as supabase/config.toml says; the function verifies the caller itself against the JWKS",
    );
  }
  if (status === 401) return pass(`${fn}: 401 "${said}"`);
  if (status === 404) {
    return fail(`${fn} is not deployed (404 ${said}): supabase functions deploy ${fn} --no-verify-jwt --use-api`);
  }
  if (status >= 500) {
    return fail(
      `${fn} failed on the forged token (HTTP ${status} ${said}): see Dashboard -> Edge Functions -> ${fn} -> Logs`,
    );
  }
  return fail(
    `${fn} let a forged token through (HTTP ${status} ${said}): it does not verify the caller's JWT; ` +
      "deploy the current code (supabase/functions/_shared/signed-in-user.ts)",
  );
}

export const functionsAuthCheck: Check = {
  id: "functions-auth",
  title: "functions refuse a forged token",
  async run(ctx) {
    const token = await forgedUserToken(ctx);
    const outcomes: Outcome[] = [];
    for (const probe of PROBES) {
      try {
        const response = await probe.request(ctx, token);
        outcomes.push(judgeForgedAnswer(probe.fn, response.status, await response.text()));
      } catch (error) {
        outcomes.push(fail(`${probe.fn}: could not reach it: ${(error as Error).message}`));
      }
    }
    const status = worst(outcomes.map((o) => o.status));
    const shown = outcomes.filter((o) => o.status === status);
    const summary = status === "PASS"
      ? `${PROBES.map((p) => p.fn).join(" and ")} answer 401 themselves to a user token signed by a made-up key ` +
        "under the project's kid"
      : shown.map((o) => o.summary).join("; ");
    return { status, summary, details: outcomes.map((o) => `${o.status} ${o.summary}`) };
  },
};
