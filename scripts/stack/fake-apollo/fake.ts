// createFakeApollo: the fake's state (settings, rate windows, scripts, chaos, request log) and its handler, which
// sends /__admin/ to the admin API and everything else through the Apollo API (api.ts).
import { adminHandler } from "./admin.ts";
import { answerApi } from "./api.ts";
import { Chaos, chaosConfig, Scripts } from "./faults.ts";
import { DEFAULT_LIMITS, RateLimiter } from "./rate-limits.ts";
import { RequestLog } from "./request-log.ts";
import { json } from "./responses.ts";
import type { FakeApollo, FakeApolloOptions, FakeSettings } from "./types.ts";

export function createFakeApollo(options: FakeApolloOptions = {}): FakeApollo {
  const now = options.now ?? Date.now;
  const initial = (): FakeSettings => ({
    latencyMs: options.latencyMs ?? 0,
    headerStyle: options.headerStyle ?? "observed",
    enforceRateLimits: options.enforceRateLimits ?? false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  let settings = initial();
  const limiter = new RateLimiter({ ...settings.limits });
  const scripts = new Scripts();
  let chaos: Chaos | null = null;
  const log = new RequestLog(options.maxLogEntries ?? 10_000, options.logRequests ?? false);
  const closing = new AbortController();
  const state = {
    get settings() {
      return settings;
    },
    limiter,
    scripts,
    get chaos() {
      return chaos;
    },
    now,
    closing: closing.signal,
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
      return structuredClone(settings);
    },
    updateSettings(patch) {
      settings = { ...settings, ...patch, limits: { ...settings.limits, ...patch.limits } };
      limiter.limits = { ...settings.limits };
      return structuredClone(settings);
    },
    setLatency(ms: number) {
      settings.latencyMs = ms;
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
      settings = initial();
      limiter.limits = { ...settings.limits };
      limiter.reset();
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
