// The HTTP side of a /rest/v1 request: which resource, which verb, Prefer, Accept, the schema
// profile, the Range header and the JSON body — checked the way PostgREST checks them.
import { readBodyCapped } from "../http.ts";
import { RestError, unsupported } from "./errors.ts";
import { EXPOSED_SCHEMA } from "./schema-cache.ts";

export const BODY_LIMIT_BYTES = 1024 * 1024;

export type Method = "GET" | "HEAD" | "POST" | "PATCH" | "DELETE";

export interface Target {
  kind: "table" | "rpc";
  name: string;
  /** request.path as PostgREST sees it (behind Supabase's gateway): "/accounts", "/rpc/fn". */
  path: string;
}

export interface Preferences {
  representation: "full" | "minimal";
  count: boolean;
  /** handling=strict with max-affected=n: more affected rows roll the request back. */
  maxAffected: number | null;
  /** What goes back in Preference-Applied. */
  applied: string[];
}

export interface Negotiated {
  /** application/vnd.pgrst.object+json: exactly one row, sent as an object. */
  single: boolean;
  stripNulls: boolean;
}

export function parseTarget(url: URL): Target {
  const path = url.pathname.replace(/^\/rest\/v1/, "");
  const parts = path.split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
  if (parts.length === 1) return { kind: "table", name: parts[0], path };
  if (parts.length === 2 && parts[0] === "rpc") return { kind: "rpc", name: parts[1], path };
  if (parts.length === 0) throw unsupported("The OpenAPI description at /rest/v1/");
  throw new RestError(404, "PGRST125", "Invalid path specified in request URL");
}

export function checkMethod(method: string, target: Target): Method {
  if (target.kind === "rpc") {
    if (method === "GET" || method === "HEAD" || method === "POST") return method;
    throw new RestError(405, "PGRST101", `Cannot use the ${method} method on RPC`);
  }
  if (method === "GET" || method === "HEAD" || method === "POST" || method === "PATCH" || method === "DELETE") {
    return method;
  }
  if (method === "PUT") throw unsupported("PUT (upsert of a single row)", "Use insert, or update with a filter.");
  throw new RestError(405, "PGRST117", `Unsupported HTTP method: ${method}`);
}

/** Accept-Profile (reads) / Content-Profile (writes): only `public` is exposed. */
export function checkProfile(req: Request, method: Method): void {
  const header = method === "GET" || method === "HEAD" ? "accept-profile" : "content-profile";
  const profile = req.headers.get(header);
  if (profile !== null && profile.trim() !== EXPOSED_SCHEMA) {
    throw new RestError(
      406,
      "PGRST106",
      `Invalid schema: ${profile.trim()}`,
      null,
      `Only the following schemas are exposed: ${EXPOSED_SCHEMA}`,
    );
  }
}

export function parsePreferences(req: Request): Preferences {
  const prefs: Preferences = { representation: "minimal", count: false, maxAffected: null, applied: [] };
  let strict = false;
  let maxAffected: number | null = null;
  // Fetch joins repeated Prefer headers with ", ".
  for (const raw of (req.headers.get("prefer") ?? "").split(",")) {
    const item = raw.trim();
    const [key, value = ""] = item.split("=").map((s) => s.trim());
    if (key === "return" && value === "representation") {
      prefs.representation = "full";
      prefs.applied.push(item);
    } else if (key === "return" && (value === "minimal" || value === "headers-only")) {
      prefs.applied.push("return=minimal");
    } else if (key === "count" && ["exact", "planned", "estimated"].includes(value)) {
      // planned/estimated are answered with the exact count: cheap enough at this stack's sizes.
      prefs.count = true;
      prefs.applied.push(item);
    } else if (key === "resolution") {
      throw unsupported(`Upsert (Prefer: ${item})`, "Insert, or update the existing row with a filter.");
    } else if (key === "missing" && value === "default") {
      throw unsupported(
        "Prefer: missing=default (insert with defaultToNull: false)",
        "Send every column of every row, or insert rows one by one.",
      );
    } else if (key === "handling" && value === "strict") {
      strict = true;
    } else if (key === "max-affected" && /^\d+$/.test(value)) {
      maxAffected = Number(value);
    }
    // Anything else (tx=, timezone=, handling=lenient, ...) is ignored, as PostgREST's lenient handling does.
  }
  if (strict && maxAffected !== null) {
    prefs.maxAffected = maxAffected;
    prefs.applied.push("handling=strict", `max-affected=${maxAffected}`);
  }
  return prefs;
}

const ARRAY_TYPES = new Set(["application/json", "application/*", "*/*", "application/vnd.pgrst.array+json"]);
const OBJECT_TYPES = new Set(["application/vnd.pgrst.object+json", "application/vnd.pgrst.object"]);

export function negotiate(req: Request): Negotiated {
  const accept = req.headers.get("accept");
  if (!accept || accept.trim() === "") return { single: false, stripNulls: false };
  for (const range of accept.split(",")) {
    const [type, ...parameters] = range.split(";").map((s) => s.trim().toLowerCase());
    const stripNulls = parameters.includes("nulls=stripped");
    if (OBJECT_TYPES.has(type)) return { single: true, stripNulls };
    if (ARRAY_TYPES.has(type)) return { single: false, stripNulls };
  }
  throw new RestError(
    406,
    "PGRST107",
    `None of these media types are available: ${accept}`,
    null,
    "This gateway answers application/json and application/vnd.pgrst.object+json only.",
  );
}

export interface Range {
  lower: number;
  upper: number | null;
}

/** The Range header (items, reads only), e.g. `0-24` or `10-`. Unparsable ranges are ignored, as PostgREST does. */
export function headerRange(req: Request, method: Method): Range | null {
  if (method !== "GET" && method !== "HEAD") return null;
  const match = /^\s*(?:items=)?(\d+)-(\d*)\s*$/.exec(req.headers.get("range") ?? "");
  if (!match) return null;
  const lower = Number(match[1]);
  const upper = match[2] === "" ? null : Number(match[2]);
  if (upper !== null && lower > upper) {
    throw new RestError(
      416,
      "PGRST103",
      "Requested range not satisfiable",
      "The lower boundary must be lower than or equal to the upper boundary in the Range header.",
    );
  }
  return { lower, upper };
}

/** The page to read: the intersection of the Range header with limit/offset. */
export function pageWindow(
  range: Range | null,
  limit: number | null,
  offset: number | null,
): { offset: number; limit: number | null } {
  const fromQuery: Range = { lower: offset ?? 0, upper: limit === null ? null : (offset ?? 0) + limit - 1 };
  const lower = Math.max(fromQuery.lower, range?.lower ?? 0);
  const uppers = [fromQuery.upper, range?.upper ?? null].filter((u): u is number => u !== null);
  const upper = uppers.length ? Math.min(...uppers) : null;
  return { offset: lower, limit: upper === null ? null : Math.max(0, upper - lower + 1) };
}

/** Reads the body with a hard 1 MB cap (also when Content-Length lies or is absent). */
function readBody(req: Request): Promise<string> {
  return readBodyCapped(req, BODY_LIMIT_BYTES, () =>
    new RestError(413, "PGRST102", `Request body too large: the limit is ${BODY_LIMIT_BYTES} bytes`, null,
      "Send fewer rows per request."));
}

/** The JSON payload of a POST/PATCH; undefined when the body is empty. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const contentType = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json" && contentType !== "") {
    throw new RestError(
      415,
      "PGRST107",
      `Content-Type not acceptable: ${contentType}`,
      null,
      "Send the body as application/json.",
    );
  }
  const text = await readBody(req);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RestError(400, "PGRST102", "Empty or invalid json", (error as Error).message);
  }
}
