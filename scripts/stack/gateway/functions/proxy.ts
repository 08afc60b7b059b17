// /functions/v1/<name>/*: forwards to the function's process like Supabase's edge runtime.
// verify_jwt (config.toml, default true) requires a valid JWT in Authorization (signed by the
// project's signing key, or on a legacy stack its JWT secret), as on Supabase; with verify_jwt =
// false nothing is checked here and the function verifies its caller itself.
// Responses pass through untouched: functions answer CORS themselves, as they must on Supabase.
// Request bodies are streamed, never buffered, and stop when the function has answered: a function
// that refuses an oversized body after reading its first 64 KB stops the upload there.
import { bearerOf, callerFromToken } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import type { FunctionSupervisor } from "./supervisor.ts";

export async function handleFunctions(req: Request, ctx: GatewayContext, supervisor: FunctionSupervisor): Promise<Response> {
  const url = new URL(req.url);
  const match = url.pathname.match(/^\/functions\/v1\/([^/]+)(\/.*)?$/);
  const fn = match ? supervisor.functions.get(match[1]) : undefined;
  if (!match || !fn) {
    return json({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
  }
  if (fn.verifyJwt && req.method !== "OPTIONS") {
    const token = bearerOf(req);
    if (!token) {
      return json({ code: "UNAUTHORIZED_NO_AUTH_HEADER", message: "Missing authorization header" }, 401);
    }
    try {
      await callerFromToken(token, ctx);
    } catch {
      return json({ code: "UNAUTHORIZED_INVALID_JWT_FORMAT", message: "Invalid JWT" }, 401);
    }
  }
  if (!(await fn.ready)) {
    return json({ code: "BOOT_ERROR", message: `Function ${fn.name} failed to start; see .stack logs fn-${fn.name}.log` }, 503);
  }
  const target = `http://127.0.0.1:${fn.port}/${fn.name}${match[2] ?? ""}${url.search}`;
  const headers = new Headers(req.headers);
  headers.delete("host");
  // Through a JS stream: handed the server's own body stream, Deno's fetch sends all of it before it
  // hands back the function's answer, draining any upload however large.
  const forwarding = new AbortController();
  const body = req.body?.pipeThrough(new TransformStream(), { signal: forwarding.signal });
  try {
    const response = await fetch(target, { method: req.method, headers, body, redirect: "manual" });
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    return json({ code: "WORKER_ERROR", message: `Function ${fn.name} did not answer: ${(error as Error).message}` }, 502);
  } finally {
    // The function has answered (or is gone): whatever it has not read of the body, it does not want.
    forwarding.abort();
  }
}
