// Runs one Edge Function the way Supabase's edge runtime does: the function's index.ts calls
// Deno.serve(handler), and the runtime decides where it listens. Here it listens on the port
// the gateway gave it, and the gateway forwards /functions/v1/<name>/* to it.
// Usage: deno run -A scripts/stack/functions/runner.ts <name> <port>
import { repoRoot } from "../config.ts";

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
  }, handler);
};

// Supabase's runtime global for background work that outlives the response.
// deno-lint-ignore no-explicit-any
(globalThis as any).EdgeRuntime ??= {
  waitUntil(promise: Promise<unknown>) {
    promise.catch((error) => console.error(`[functions] ${name}: background task failed:`, error));
  },
};

await import(`file://${repoRoot}/supabase/functions/${name}/index.ts`);
