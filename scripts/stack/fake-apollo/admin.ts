// The fake Apollo's admin API (/__admin/...), for tests and the chaos soak. No auth: it listens on loopback only.
//   GET    /__admin/state                  settings, chaos faults, pending scripts, log size
//   POST   /__admin/reset                  back to start: no latency, faults, scripts, log or rate counters
//   POST   /__admin/latency   {ms}         global latency added to every API answer
//   POST   /__admin/settings  {latencyMs?, headerStyle?: "observed"|"documented"|"both", enforceRateLimits?,
//                              plan?, limits?: {minute?, hour?, day?}, windowScale?}
//   POST   /__admin/plan      {plan: "legacy-default"|"free"|"basic", team?, enforce?, windowScale?}
//                              a rate-limit plan for every team without its own, or for one team
//   POST   /__admin/teams     {team, keys: [...]}   these keys share the team's windows
//   GET    /__admin/teams     DELETE /__admin/teams (every key back in its own team, or its -team-<name>)
//   GET    /__admin/usage?team=&key=   windows per endpoint (limit, used, left, opens_at, resets_at), credits
//   POST   /__admin/faults    {seed?, error500?, error429?, retryAfterSeconds?, timeout?, hangMs?, unauthorized?,
//                              unauthorizedKey?}   fractions 0..1 (sum <= 1); replaces the previous faults
//   DELETE /__admin/faults                 no more chaos
//   POST   /__admin/scripts   {domain?, key?, path?, status: 429|500|...|"hang", times?: 1, retryAfterSeconds?,
//                              body?, hangMs?}     the next `times` matching requests answer `status`, then normal
//   GET    /__admin/scripts   DELETE /__admin/scripts
//   GET    /__admin/requests?since=<seq>&domain=&key_last4=&team=&path=   the request log (key: last 4 chars only)
//   DELETE /__admin/requests
import { z } from "zod";
import { MAX_WINDOW_SCALE, PLAN_NAMES } from "./plans.ts";
import { TEAM_NAME } from "./teams.ts";
import type { FakeApollo } from "./types.ts";

const fraction = z.number().min(0).max(1);

const latencyBody = z.object({ ms: z.number().int().min(0).max(600_000) });

const plan = z.enum(PLAN_NAMES);
const windowScale = z.number().positive().max(MAX_WINDOW_SCALE);
const team = z.string().regex(TEAM_NAME, "a team name is 1-64 letters, digits, '.', '_' or '-'");

const settingsBody = z.object({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  headerStyle: z.enum(["observed", "documented", "both"]).optional(),
  enforceRateLimits: z.boolean().optional(),
  plan: plan.optional(),
  limits: z.object({
    minute: z.number().int().min(1).optional(),
    hour: z.number().int().min(1).optional(),
    day: z.number().int().min(1).optional(),
  }).optional(),
  windowScale: windowScale.optional(),
});

const planBody = z.object({
  plan,
  team: team.optional(),
  enforce: z.boolean().optional(),
  windowScale: windowScale.optional(),
});

const teamsBody = z.object({ team, keys: z.array(z.string().trim().min(1)).min(1).max(10_000) });

const faultsBody = z.object({
  seed: z.number().int().optional(),
  error500: fraction.optional(),
  error429: fraction.optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  timeout: fraction.optional(),
  hangMs: z.number().int().min(0).max(600_000).optional(),
  unauthorized: fraction.optional(),
  unauthorizedKey: z.string().min(1).optional(),
});

const scriptBody = z.object({
  domain: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  status: z.union([z.number().int().min(100).max(599), z.literal("hang")]),
  times: z.number().int().min(1).max(100_000).default(1),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  body: z.unknown().optional(),
  hangMs: z.number().int().min(0).max(600_000).optional(),
});

const HELP = {
  "GET /__admin/state": "settings, faults, scripts, log size",
  "POST /__admin/reset": "back to start",
  "POST /__admin/latency": "{ms}",
  "POST /__admin/settings": "{latencyMs?, headerStyle?, enforceRateLimits?, plan?, limits?, windowScale?}",
  "POST /__admin/plan": "{plan: legacy-default|free|basic, team?, enforce?, windowScale?}",
  "POST /__admin/teams": "{team, keys: [...]}: the keys share the team's rate windows",
  "GET|DELETE /__admin/teams": "list / every key back in its own team",
  "GET /__admin/usage": "?team=&key=: windows per endpoint and credits",
  "POST /__admin/faults":
    "{seed?, error500?, error429?, retryAfterSeconds?, timeout?, hangMs?, unauthorized?, unauthorizedKey?}",
  "DELETE /__admin/faults": "no more chaos",
  "POST /__admin/scripts": "{domain?, key?, path?, status, times?, retryAfterSeconds?, body?, hangMs?}",
  "GET|DELETE /__admin/scripts": "list / clear scripts",
  "GET /__admin/requests": "?since=&domain=&key_last4=&team=&path=",
  "DELETE /__admin/requests": "clear the log",
};

function reply(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

async function parse<T extends z.ZodType>(schema: T, req: Request): Promise<z.infer<T>> {
  const text = await req.text();
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      throw new AdminError("the body is not JSON");
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AdminError(parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  }
  return parsed.data;
}

class AdminError extends Error {}

export async function adminHandler(fake: FakeApollo, req: Request, url: URL): Promise<Response> {
  const path = url.pathname.replace(/^\/__admin\/?/, "").replace(/\/+$/, "");
  const route = `${req.method} ${path}`;
  try {
    switch (route) {
      case "GET ":
        return reply(HELP);
      case "GET state":
        return reply({
          settings: fake.settings,
          ...fake.teams(),
          faults: fake.faults,
          scripts: fake.scripts(),
          requests: fake.requests().length,
        });
      case "POST reset":
        fake.reset();
        return reply({ ok: true });
      case "POST latency":
      case "PUT latency": {
        const { ms } = await parse(latencyBody, req);
        fake.setLatency(ms);
        return reply({ settings: fake.settings });
      }
      case "POST settings":
      case "PUT settings":
      case "PATCH settings":
        return reply({ settings: fake.updateSettings(await parse(settingsBody, req)) });
      case "POST plan":
      case "PUT plan":
        return reply(fake.setPlan(await parse(planBody, req)));
      case "POST teams":
      case "PUT teams": {
        const body = await parse(teamsBody, req);
        fake.setTeam(body.team, body.keys);
        return reply(fake.teams());
      }
      case "GET teams":
        return reply(fake.teams());
      case "DELETE teams":
        fake.clearTeams();
        return reply(fake.teams());
      case "GET usage": {
        const key = url.searchParams.get("key");
        const team = url.searchParams.get("team") ?? (key === null ? undefined : fake.teamOf(key));
        const usage = fake.usage(team);
        return reply(team === undefined ? { teams: usage } : usage[0]);
      }
      case "POST faults":
      case "PUT faults": {
        const body = await parse(faultsBody, req);
        try {
          return reply({ faults: fake.setFaults(body) });
        } catch (error) {
          throw new AdminError((error as Error).message);
        }
      }
      case "DELETE faults":
        fake.setFaults(null);
        return reply({ faults: null });
      case "POST script":
      case "POST scripts":
        return reply({ script: fake.script(await parse(scriptBody, req)) }, 201);
      case "GET scripts":
        return reply({ scripts: fake.scripts() });
      case "DELETE scripts":
        fake.clearScripts();
        return reply({ scripts: [] });
      case "GET requests": {
        const q = url.searchParams;
        const since = q.get("since");
        if (since !== null && !/^\d+$/.test(since)) throw new AdminError("since must be a request seq number");
        return reply({
          requests: fake.requests({
            since: since === null ? undefined : Number(since),
            domain: q.get("domain") ?? undefined,
            key_last4: q.get("key_last4") ?? undefined,
            team: q.get("team") ?? undefined,
            path: q.get("path") ?? undefined,
          }),
        });
      }
      case "DELETE requests":
        fake.clearRequests();
        return reply({ requests: [] });
      default:
        return reply({ error: `No admin route ${req.method} /__admin/${path}`, routes: HELP }, 404);
    }
  } catch (error) {
    if (error instanceof AdminError) return reply({ error: error.message }, 400);
    throw error;
  }
}
