// The stack's fake Apollo daemon: listens on stackConfig().ports.fakeApollo (127.0.0.1) until killed.
// The functions reach it through APOLLO_BASE_URL=<fakeApolloUrl>/api/v1. Patterns and admin API: README.md.
import { stackConfig } from "../config.ts";
import { startFakeApollo } from "./server.ts";

const config = stackConfig();
const latency = Number(Deno.env.get("FAKE_APOLLO_LATENCY_MS") ?? "0");
const running = startFakeApollo({
  port: config.ports.fakeApollo,
  hostname: "127.0.0.1",
  latencyMs: Number.isFinite(latency) && latency > 0 ? latency : 0,
  logRequests: Deno.env.get("FAKE_APOLLO_QUIET") !== "1",
});
console.log(`fake Apollo listening on ${running.url} (API ${running.apiUrl}, admin ${running.url}/__admin)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    running.close().finally(() => Deno.exit(0));
  });
}
