// Runs one Edge Function the way Supabase's edge runtime does: the function's index.ts calls
// Deno.serve(handler), and the runtime decides where it listens. Here it listens on the port
// the gateway gave it, and the gateway forwards /functions/v1/<name>/* to it.
// It runs on the edge Deno with the function's deno.json as its configuration (see
// scripts/stack/edge-runtime.ts), so it imports nothing but relative files without imports of
// their own: anything else would have to be in that function's import map.
// Requests run under the hosted runtime's limits (./limits.ts): past one, every request in flight
// is answered 546 WORKER_LIMIT and the process ends; the gateway's supervisor starts another.
// Usage: deno run -A --config supabase/functions/<name>/deno.json scripts/stack/functions/runner.ts <name> <port>
import { functionLimits, withinLimits } from "./limits.ts";
import { drainingUnreadBodies } from "./uploads.ts";

// STACK_FUNCTIONS_DIR: another folder of functions (the host's own tests run a probe function from one).
const functionsDir = Deno.env.get("STACK_FUNCTIONS_DIR")
  ? new URL(`file://${Deno.env.get("STACK_FUNCTIONS_DIR")!.replace(/\/?$/, "/")}`)
  : new URL("../../../supabase/functions/", import.meta.url);
const limits = functionLimits(Deno.env);

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
  }, drainingUnreadBodies(withinLimits(handler, limits, terminate)));
};

/** The runtime stops a worker past a limit: the answers already given get out, then the process ends. */
function terminate(reason: string) {
  console.error(`[functions] ${name}: ${reason}; the worker is terminated`);
  setTimeout(() => Deno.exit(1), 250);
}

// Supabase's runtime global for background work that outlives the response.
// deno-lint-ignore no-explicit-any
(globalThis as any).EdgeRuntime ??= {
  waitUntil(promise: Promise<unknown>) {
    promise.catch((error) => console.error(`[functions] ${name}: background task failed:`, error));
  },
};

await import(new URL(`${name}/index.ts`, functionsDir).href);
