// The accounts list's URL state (?q=&page=) and how it becomes a PostgREST query:
// a range for the page and an or() filter over name and domain for the search.

export const ACCOUNTS_PAGE_SIZE = 10;
export const MAX_SEARCH_LENGTH = 100;

export interface AccountsListParams {
  search: string;
  page: number;
}

export function parseListParams(params: URLSearchParams): AccountsListParams {
  const search = (params.get("q") ?? "").slice(0, MAX_SEARCH_LENGTH);
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return { search, page: Number.isFinite(page) && page >= 1 ? page : 1 };
}

/** The URL search params for a list state (defaults left out, so URLs stay short). */
export function toSearchParams({ search, page }: AccountsListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (search.trim()) out.set("q", search.trim());
  if (page > 1) out.set("page", String(page));
  return out;
}

/** Inclusive row range of a 1-based page, as `.range(from, to)` wants it. */
export function pageRange(page: number, pageSize: number = ACCOUNTS_PAGE_SIZE): [number, number] {
  const safePage = Math.max(1, Math.floor(page));
  const from = (safePage - 1) * pageSize;
  return [from, from + pageSize - 1];
}

export function pageCount(total: number, pageSize: number = ACCOUNTS_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(Math.max(0, total) / pageSize));
}

/** A page past the end (after a search or delete shrank the list) falls back to the last page. */
export function clampPage(page: number, total: number, pageSize: number = ACCOUNTS_PAGE_SIZE): number {
  return Math.min(Math.max(1, page), pageCount(total, pageSize));
}

/**
 * The search term made safe for a PostgREST or() filter: characters that are syntax there
 * (, ( ) " \ :) and the wildcards (* %) become spaces, runs of spaces become one. Dots are fine
 * inside a value, so "stripe.com" is searched as typed. Empty means "no filter".
 */
export function normalizeSearch(raw: string): string {
  return raw.replace(/[,()"\\:*%]/g, " ").replace(/\s+/g, " ").trim().slice(0, MAX_SEARCH_LENGTH);
}

/** `name.ilike.*term*,domain.ilike.*term*`, or null when there is nothing to search for. */
export function searchFilter(raw: string): string | null {
  const term = normalizeSearch(raw);
  if (!term) return null;
  return `name.ilike.*${term}*,domain.ilike.*${term}*`;
}
