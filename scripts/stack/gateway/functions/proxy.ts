// /functions/v1/<name>/*: forwards to the function's process like Supabase's edge runtime.
// verify_jwt (config.toml, default true) requires a valid JWT in Authorization (signed by the
// project's signing key, or on a legacy stack its JWT secret), as on Supabase; with verify_jwt =
// false nothing is checked here and the function verifies its caller itself.
// Responses pass through untouched: functions answer CORS themselves, as they must on Supabase.
// Request bodies are streamed, never buffered, and stop when the function has answered: a function
// that refuses an oversized body after reading its first 64 KB stops the upload there (../../functions/uploads.ts
// makes sure that answer reaches the caller).
import { forwardedBody, UPLOAD_CONTROL_HEADER } from "../../functions/uploads.ts";
import { bearerOf, callerFromToken } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import type { FunctionSupervisor } from "./supervisor.ts";

/** Forwarded uploads that a function process may end (by id, named in UPLOAD_CONTROL_HEADER). */
const uploads = new Map<string, () => void>();
const UPLOADS_PATH = "/functions/v1/_uploads/";

export async function handleFunctions(req: Request, ctx: GatewayContext, supervisor: FunctionSupervisor): Promise<Response> {
  const url = new URL(req.url);
  // A function process that has answered ends the rest of its upload (no function name starts with "_").
  if (url.pathname.startsWith(UPLOADS_PATH) && req.method === "POST") {
    uploads.get(url.pathname.slice(UPLOADS_PATH.length))?.();
    return new Response(null, { status: 204 });
  }
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
  // The function answers uncompressed: the edge Deno's Deno.serve gzips when asked (this fetch asks
  // by itself), and fetch hands back the decoded body under the function's content-encoding and
  // content-length, which a client then fails to read.
  headers.set("accept-encoding", "identity");
  // Through a JS stream: handed the server's own body stream, Deno's fetch sends all of it before it
  // hands back the function's answer, draining any upload however large.
  const upload = forwardedBody(req.body);
  const uploadId = crypto.randomUUID();
  uploads.set(uploadId, upload.stop);
  headers.set(UPLOAD_CONTROL_HEADER, `http://127.0.0.1:${ctx.config.ports.api}${UPLOADS_PATH}${uploadId}`);
  try {
    const response = await fetch(target, { method: req.method, headers, body: upload.stream, redirect: "manual" });
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    return json({ code: "WORKER_ERROR", message: `Function ${fn.name} did not answer: ${(error as Error).message}` }, 502);
  } finally {
    // The function has answered (or is gone): whatever it has not read of the body, it does not want.
    uploads.delete(uploadId);
    upload.stop();
  }
}
