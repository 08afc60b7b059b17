// Status codes and headers of a successful /rest/v1 answer, as PostgREST sets them
// (src/PostgREST/Response.hs and RangeQuery.hs): Content-Range on every answer, 206/416 with counts.
import { RestError } from "./errors.ts";
import type { ResultRow } from "./transaction.ts";

/** `0-24/3573458`, `*\/0` when empty, `0-24/*` without a count. */
export function contentRange(lower: number, upper: number, total: number | null): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : "*";
  return `${range}/${total ?? "*"}`;
}

function headers(single: boolean, range: string, applied: string[], withBody: boolean): Headers {
  const h = new Headers({ "content-range": range });
  if (withBody) {
    h.set(
      "content-type",
      single ? "application/vnd.pgrst.object+json; charset=utf-8" : "application/json; charset=utf-8",
    );
  }
  if (applied.length) h.set("preference-applied", applied.join(", "));
  return h;
}

export interface ReadAnswer {
  result: ResultRow;
  offset: number;
  single: boolean;
  head: boolean;
  applied: string[];
  /** A function returning void: 204 without a body. */
  noContent?: boolean;
}

/** Reads and function calls: 200, 206 when the count shows a partial page, 416 past the end. */
export function readResponse(a: ReadAnswer): Response {
  const { total, pageTotal, body } = a.result;
  const upper = a.offset + pageTotal - 1;
  const range = contentRange(a.offset, upper, total);
  if (total !== null && a.offset > total) {
    const error = new RestError(
      416,
      "PGRST103",
      "Requested range not satisfiable",
      `An offset of ${a.offset} was requested, but there are only ${total} rows.`,
    );
    const response = error.toResponse();
    response.headers.set("content-range", range);
    return response;
  }
  if (a.noContent) return new Response(null, { status: 204, headers: headers(false, range, a.applied, false) });
  const status = total !== null && pageTotal < total ? 206 : 200;
  return new Response(a.head ? null : body, { status, headers: headers(a.single, range, a.applied, !a.head) });
}

export interface WriteAnswer {
  result: ResultRow;
  kind: "insert" | "update" | "delete";
  representation: boolean;
  count: boolean;
  single: boolean;
  applied: string[];
}

/** Insert 201, update/delete 200 with a body or 204 without (return=minimal). */
export function writeResponse(a: WriteAnswer): Response {
  const n = a.result.pageTotal;
  const total = a.count ? n : null;
  const range = a.kind === "update" ? contentRange(0, n - 1, total) : contentRange(1, 0, total);
  const status = a.kind === "insert" ? 201 : a.representation ? 200 : 204;
  const body = a.representation ? a.result.body : null;
  return new Response(body, { status, headers: headers(a.single, range, a.applied, body !== null) });
}
