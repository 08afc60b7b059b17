// Runs one Edge Function the way Supabase's edge runtime does: the function's index.ts calls
// Deno.serve(handler), and the runtime decides where it listens. Here it listens on the port
// the gateway gave it, and the gateway forwards /functions/v1/<name>/* to it.
// It runs on the edge Deno with the function's deno.json as its configuration (see
// scripts/stack/edge-runtime.ts), so it imports nothing but relative files without imports of
// their own: anything else would have to be in that function's import map.
// Usage: deno run -A --config supabase/functions/<name>/deno.json scripts/stack/functions/runner.ts <name> <port>
import { drainingUnreadBodies } from "./uploads.ts";

const functionsDir = new URL("../../../supabase/functions/", import.meta.url);

const [name, portText] = Deno.args;
const port = Number(portText);
if (!name || !/^[a-z0-9][a-z0-9_-]*$/.test(name) || !Number.isInteger(port)) {
  console.error("usage: runner.ts <function-name> <port>");
  Deno.exit(2);
}

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
const originalServe = Deno.serve.bind(Deno);

// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler: Handler | undefined = args.find((a) => typeof a === "function") ?? args[0]?.handler;
  if (!handler) throw new Error(`${name}: Deno.serve was called without a handler`);
  return originalServe({
    port,
    hostname: "127.0.0.1",
    onListen: () => console.log(`[functions] ${name} listening on 127.0.0.1:${port}`),
  }, drainingUnreadBodies(handler));
};

// Supabase's runtime global for background work that outlives the response.
// deno-lint-ignore no-explicit-any
(globalThis as any).EdgeRuntime ??= {
  waitUntil(promise: Promise<unknown>) {
    promise.catch((error) => console.error(`[functions] ${name}: background task failed:`, error));
  },
};

await import(new URL(`${name}/index.ts`, functionsDir).href);
