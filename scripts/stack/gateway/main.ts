// The local stack's API gateway on the Supabase API port: /rest/v1, /auth/v1,
// /realtime/v1/websocket, /storage/v1 and /functions/v1, answering supabase-js the way Supabase does.
// Usage: STACK_INSTANCE=dev deno run -A scripts/stack/gateway/main.ts
import { stackConfig } from "../config.ts";
import { AuthError } from "./apikey.ts";
import { createContext } from "./context.ts";
import { json, preflight, withCors } from "./http.ts";
import { handleAuth } from "./auth/handler.ts";
import { handleRest } from "./rest/handler.ts";
import { handleStorage } from "./storage/handler.ts";
import { Realtime } from "./realtime/server.ts";
import { runCronJob } from "./cron-run.ts";
import { handleFunctions } from "./functions/proxy.ts";
import { FunctionSupervisor } from "./functions/supervisor.ts";

const config = stackConfig();
const ctx = await createContext(config);
const supervisor = new FunctionSupervisor(ctx);
const realtime = new Realtime(ctx);

async function route(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  if (path.startsWith("/functions/v1/")) return await handleFunctions(req, ctx, supervisor);

  const origin = req.headers.get("origin");
  if (req.method === "OPTIONS") return preflight(origin, ctx.allowedOrigins);
  let response: Response;
  try {
    if (path.startsWith("/rest/v1/") || path === "/rest/v1") response = await handleRest(req, ctx);
    else if (path.startsWith("/auth/v1/")) response = await handleAuth(req, ctx);
    else if (path.startsWith("/storage/v1/")) response = await handleStorage(req, ctx);
    else if (path === "/realtime/v1/websocket") response = await realtime.upgrade(req);
    else if (path === "/_stack/realtime/settings") response = await realtime.settings(req);
    else if (path === "/_stack/cron/run") response = await runCronJob(req, ctx);
    else if (path === "/health") response = json({ status: "ok", instance: config.instance });
    else response = json({ message: "no Route matched with those values" }, 404);
  } catch (error) {
    if (error instanceof AuthError) response = error.response;
    else {
      console.error(`[gateway] ${req.method} ${path} failed:`, error);
      response = json({ message: "Internal gateway error", details: (error as Error).message }, 500);
    }
  }
  // A WebSocket upgrade response cannot be re-wrapped.
  return response.status === 101 ? response : withCors(response, origin, ctx.allowedOrigins);
}

await realtime.start();
await supervisor.startAll();
const server = Deno.serve({
  port: config.ports.api,
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`[gateway] listening on http://127.0.0.1:${port} (instance ${config.instance})`),
}, route);

async function shutdown() {
  console.log("[gateway] shutting down");
  await Promise.allSettled([supervisor.stopAll(), realtime.stop(), server.shutdown()]);
  await ctx.sql.end({ timeout: 2 });
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
