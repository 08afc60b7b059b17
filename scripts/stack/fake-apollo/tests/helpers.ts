// What the fake Apollo's own tests share: a call to its API or to its admin API, and the answer.
import type { RunningFakeApollo } from "../server.ts";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallInit {
  method?: string;
  /** The x-api-key header; null: none. */
  key: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A call to the fake at path (from its root: /api/v1/...): GET, or POST with a JSON body, unless init.method says. */
export async function callFake(fake: RunningFakeApollo, path: string, init: CallInit): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers["x-api-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${fake.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

/** A call to the fake's admin API (/__admin/path): its status and JSON answer. */
export async function admin(fake: RunningFakeApollo, method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}/__admin/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
