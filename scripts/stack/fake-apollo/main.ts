// The stack's fake Apollo daemon: listens on stackConfig().ports.fakeApollo (127.0.0.1) until killed.
// The functions reach it through APOLLO_BASE_URL=<fakeApolloUrl>/api/v1. Patterns and admin API: README.md.
// Env: FAKE_APOLLO_LATENCY_MS, FAKE_APOLLO_QUIET=1, FAKE_APOLLO_PLAN (legacy-default|free|basic),
// FAKE_APOLLO_ENFORCE=1 (answer 429 once a window is spent), FAKE_APOLLO_WINDOW_SCALE (0.01: a "minute" is 0.6 s).
// /__admin/reset goes back to these.
import { stackConfig } from "../config.ts";
import { isPlanName, isWindowScale, MAX_WINDOW_SCALE, PLAN_NAMES } from "./plans.ts";
import { startFakeApollo } from "./server.ts";

function fail(message: string): never {
  console.error(`fake Apollo: ${message}`);
  Deno.exit(2);
}

function planFromEnv() {
  const plan = Deno.env.get("FAKE_APOLLO_PLAN")?.trim();
  if (!plan) return undefined;
  if (!isPlanName(plan)) fail(`FAKE_APOLLO_PLAN=${plan} is not a plan; use one of ${PLAN_NAMES.join(", ")}`);
  return plan;
}

function scaleFromEnv() {
  const text = Deno.env.get("FAKE_APOLLO_WINDOW_SCALE")?.trim();
  if (!text) return undefined;
  const scale = Number(text);
  if (!isWindowScale(scale)) {
    fail(
      `FAKE_APOLLO_WINDOW_SCALE=${text} must be a number above 0 and at most ${MAX_WINDOW_SCALE} ` +
        `(0.01: a "minute" lasts 0.6 s)`,
    );
  }
  return scale;
}

const config = stackConfig();
const latency = Number(Deno.env.get("FAKE_APOLLO_LATENCY_MS") ?? "0");
const running = startFakeApollo({
  port: config.ports.fakeApollo,
  hostname: "127.0.0.1",
  latencyMs: Number.isFinite(latency) && latency > 0 ? latency : 0,
  logRequests: Deno.env.get("FAKE_APOLLO_QUIET") !== "1",
  plan: planFromEnv(),
  enforceRateLimits: Deno.env.get("FAKE_APOLLO_ENFORCE") === "1",
  windowScale: scaleFromEnv(),
});
const s = running.fake.settings;
console.log(
  `fake Apollo listening on ${running.url} (API ${running.apiUrl}, admin ${running.url}/__admin); ` +
    `plan ${s.plan}, limits ${s.enforceRateLimits ? "enforced" : "counted only"}, window scale ${s.windowScale}`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    running.close().finally(() => Deno.exit(0));
  });
}
