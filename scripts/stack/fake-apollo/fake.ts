// createFakeApollo: the fake's state (settings, teams and their rate windows, scripts, chaos, request log) and its
// handler, which sends /__admin/ to the admin API and everything else through the Apollo API (api.ts).
import { adminHandler } from "./admin.ts";
import { answerApi } from "./api.ts";
import { Chaos, chaosConfig, Scripts } from "./faults.ts";
import { isWindowScale, MAX_WINDOW_SCALE, PLANS, type WindowLimits } from "./plans.ts";
import { RequestLog } from "./request-log.ts";
import { json } from "./responses.ts";
import { TeamLimits } from "./team-limits.ts";
import type { FakeApollo, FakeApolloOptions, FakeSettings, SettingsPatch } from "./types.ts";

/** Settings as kept: the plan's `limits` are derived from the plan and these overrides. */
type Stored = Omit<FakeSettings, "limits"> & { overrides: Partial<WindowLimits> };

function checkScale(scale: number): number {
  if (!isWindowScale(scale)) {
    throw new RangeError(`windowScale must be a number above 0 and at most ${MAX_WINDOW_SCALE} (got ${scale})`);
  }
  return scale;
}

export function createFakeApollo(options: FakeApolloOptions = {}): FakeApollo {
  const now = options.now ?? Date.now;
  const initial = (): Stored => ({
    latencyMs: options.latencyMs ?? 0,
    headerStyle: options.headerStyle ?? "observed",
    enforceRateLimits: options.enforceRateLimits ?? false,
    plan: options.plan ?? "legacy-default",
    overrides: { ...options.limits },
    windowScale: checkScale(options.windowScale ?? 1),
  });
  let stored = initial();
  const settings = (): FakeSettings => {
    const { overrides, ...rest } = stored;
    return { ...rest, limits: { ...PLANS[stored.plan].enrichment, ...overrides } };
  };
  const limits = new TeamLimits(() => ({
    plan: stored.plan,
    overrides: stored.overrides,
    enforce: stored.enforceRateLimits,
    windowScale: stored.windowScale,
  }), now);
  const scripts = new Scripts();
  let chaos: Chaos | null = null;
  const log = new RequestLog(options.maxLogEntries ?? 10_000, options.logRequests ?? false);
  const closing = new AbortController();
  const state = {
    get settings() {
      return settings();
    },
    limits,
    scripts,
    get chaos() {
      return chaos;
    },
    now,
    closing: closing.signal,
  };

  const update = (patch: SettingsPatch): FakeSettings => {
    const next: Stored = { ...stored };
    if (patch.latencyMs !== undefined) next.latencyMs = patch.latencyMs;
    if (patch.headerStyle !== undefined) next.headerStyle = patch.headerStyle;
    if (patch.enforceRateLimits !== undefined) next.enforceRateLimits = patch.enforceRateLimits;
    if (patch.windowScale !== undefined) next.windowScale = checkScale(patch.windowScale);
    if (patch.plan !== undefined) {
      next.plan = patch.plan;
      next.overrides = {};
    }
    if (patch.limits !== undefined) next.overrides = { ...next.overrides, ...patch.limits };
    stored = next;
    return settings();
  };

  const fake: FakeApollo = {
    async handler(req: Request): Promise<Response> {
      const url = new URL(req.url);
      if (url.pathname === "/__admin" || url.pathname.startsWith("/__admin/")) {
        return await adminHandler(fake, req, url);
      }
      const started = now();
      const entry = log.begin(req.method, url.pathname, started);
      let response: Response;
      try {
        const answer = await answerApi(state, req, url, entry);
        // The client went away (or the server is closing): nothing will be read, so status 0 goes in the log.
        response = answer ?? new Response(null, { status: 499 });
        entry.status = answer ? answer.status : 0;
      } catch (error) {
        console.error("fake-apollo: handler error", error);
        response = json({ status: 500, error: "Internal Server Error" }, 500);
        entry.status = 500;
        entry.fault = "fake-apollo-bug";
      }
      const finished = now();
      entry.ms = finished - started;
      entry.at = new Date(finished).toISOString();
      log.add(entry);
      return response;
    },

    get settings() {
      return settings();
    },
    updateSettings: update,
    setLatency(ms: number) {
      stored.latencyMs = ms;
    },
    setPlan(spec) {
      if (spec.windowScale !== undefined) update({ windowScale: spec.windowScale });
      if (spec.team === undefined) {
        update({ plan: spec.plan, enforceRateLimits: spec.enforce });
      } else {
        limits.setPolicy(spec.team, {
          plan: spec.plan,
          ...(spec.enforce === undefined ? {} : { enforce: spec.enforce }),
        });
      }
      return { settings: settings(), teams: limits.listPolicies() };
    },
    setTeam: (team, keys) => limits.teams.assign(team, keys),
    clearTeams: () => limits.teams.clear(),
    teams: () => ({ teams: limits.teams.list(), policies: limits.listPolicies() }),
    teamOf: (key) => limits.teams.teamOf(key),
    usage(team) {
      return (team === undefined ? limits.activeTeams() : [team]).map((t) => limits.usage(t));
    },
    get faults() {
      return chaos ? { ...chaos.config } : null;
    },
    setFaults(config) {
      if (config === null) {
        chaos = null;
        return null;
      }
      const full = chaosConfig(config);
      chaos = new Chaos(full);
      return { ...full };
    },
    script: (spec) => scripts.add(spec),
    scripts: () => scripts.list(),
    clearScripts: () => scripts.clear(),
    requests: (filter) => log.list(filter),
    clearRequests: () => log.clear(),
    reset() {
      stored = initial();
      limits.reset();
      scripts.clear();
      chaos = null;
      log.clear(true);
    },
    close() {
      closing.abort();
    },
  };
  return fake;
}
