// Typed Apollo errors: what went wrong, in words a user understands, and whether another attempt could succeed.
// Never put the API key in a message, a property or a cause: errors end up in job logs and in the browser.
import type { ApolloErrorKind, RateLimitInfo } from "./types.ts";

/** Kinds worth another attempt (with backoff, or after retryAfterSeconds for rate_limited). */
const RETRYABLE: ReadonlySet<ApolloErrorKind> = new Set<ApolloErrorKind>([
  "rate_limited",
  "server_error",
  "timeout",
  "network",
  "bad_response",
]);

export function isRetryableKind(kind: ApolloErrorKind): boolean {
  return RETRYABLE.has(kind);
}

export interface ApolloErrorOptions {
  status?: number;
  retryAfterSeconds?: number;
  /** The API path that failed, e.g. "organizations/enrich". */
  endpoint?: string;
  rateLimit?: RateLimitInfo;
  cause?: unknown;
}

export class ApolloError extends Error {
  readonly kind: ApolloErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly endpoint?: string;
  readonly rateLimit?: RateLimitInfo;

  constructor(kind: ApolloErrorKind, message: string, options: ApolloErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApolloError";
    this.kind = kind;
    this.retryable = isRetryableKind(kind);
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.endpoint !== undefined) this.endpoint = options.endpoint;
    if (options.rateLimit !== undefined) this.rateLimit = options.rateLimit;
  }
}

/**
 * `Retry-After` as whole seconds from now: delta-seconds ("30", "1.5" rounds up) or an HTTP date.
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Replaces every occurrence of the key (if any) so a body or error text can be shown safely. */
export function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join("[redacted]");
}

/** Apollo's own words from an error body: JSON `error`/`message` (+ `error_code`), else the text itself. */
export function apolloMessage(bodyText: string): { text: string; code?: string } {
  const trimmed = bodyText.trim();
  if (trimmed === "") return { text: "" };
  try {
    const body = JSON.parse(trimmed) as unknown;
    if (body && typeof body === "object" && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      const text = [b.error, b.message, b.error_message].find((v) => typeof v === "string" && v.trim() !== "");
      const code = typeof b.error_code === "string" ? b.error_code : undefined;
      if (typeof text === "string") return { text: clip(text), code };
      return { text: clip(trimmed), code };
    }
  } catch { /* not JSON: Apollo answers some errors in text/plain (or HTML from a proxy) */ }
  if (/^\s*</.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return { text: title ? clip(title) : "an HTML error page" };
  }
  return { text: clip(trimmed) };
}

function clip(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** "(401 Invalid access credentials.)" — the status and Apollo's words, for the end of a message. */
function said(status: number, apollo: { text: string; code?: string }): string {
  const words = [apollo.code, apollo.text].filter((s) => s && s !== "").join(": ");
  return words ? `${status} ${words}` : `HTTP ${status}`;
}

/** Seconds to wait after a 429 with no usable retry-after: the smallest exhausted window. */
function fallbackRetryAfter(rateLimit: RateLimitInfo | undefined): number {
  if (rateLimit?.minuteLeft === 0) return 60;
  if (rateLimit?.hourlyLeft === 0 || rateLimit?.dailyLeft === 0) return 3600;
  return 60;
}

export interface ErrorResponseInput {
  status: number;
  bodyText: string;
  retryAfter?: string | null;
  endpoint: string;
  rateLimit?: RateLimitInfo;
  /** Only used to scrub the key out of whatever Apollo said. */
  apiKey?: string;
  now?: number;
}

/** Maps a non-2xx Apollo answer to an ApolloError with a message saying what to do. */
export function errorFromResponse(input: ErrorResponseInput): ApolloError {
  const { status, endpoint, rateLimit } = input;
  const apollo = apolloMessage(redact(input.bodyText, input.apiKey));
  const detail = said(status, apollo);
  const base = { status, endpoint, rateLimit };
  const lower = apollo.text.toLowerCase();

  if (status === 401) {
    return new ApolloError(
      "unauthorized",
      `Apollo rejected the API key (${detail}). Check the key in Settings → API.`,
      base,
    );
  }
  if (status === 403) {
    return new ApolloError(
      "forbidden",
      `Apollo refused ${endpoint} for this API key (${detail}). Your Apollo plan may not include this endpoint, ` +
        `or it needs a master API key: check the plan, or create a master key in Apollo and save it in Settings → API.`,
      base,
    );
  }
  if (status === 429) {
    const parsed = parseRetryAfter(input.retryAfter, input.now);
    const retryAfterSeconds = parsed ?? fallbackRetryAfter(rateLimit);
    return new ApolloError(
      "rate_limited",
      `Apollo's rate limit was reached for ${endpoint} (${detail}). ` +
        `It will be retried automatically in ${retryAfterSeconds} s; to avoid this, enrich fewer records at once ` +
        `or raise the limit in your Apollo plan.`,
      { ...base, retryAfterSeconds },
    );
  }
  if (status === 408) {
    return new ApolloError(
      "timeout",
      `Apollo timed out answering ${endpoint} (${detail}). It will be retried automatically.`,
      base,
    );
  }
  if (status >= 400 && status < 500) {
    if (lower.includes("insufficient credits") || lower.includes("out of credits") || lower.includes("no credits")) {
      return new ApolloError(
        "insufficient_credits",
        `Your Apollo account is out of credits (${detail}). Add credits or upgrade the Apollo plan, then retry the job.`,
        base,
      );
    }
    if (lower.includes("api key") || lower.includes("api_key")) {
      // 422 "Api key required" / "API key must be passed in the X-Api-Key header": the key never reached Apollo.
      return new ApolloError(
        "unauthorized",
        `Apollo did not receive a usable API key (${detail}). Save the key again in Settings → API.`,
        base,
      );
    }
    return new ApolloError(
      "bad_request",
      `Apollo rejected the request to ${endpoint} (${detail}). Check the record's data (domain, email or name), ` +
        `fix it and retry; retrying unchanged will fail the same way.`,
      base,
    );
  }
  if (status >= 500) {
    return new ApolloError(
      "server_error",
      `Apollo had a server error on ${endpoint} (${detail}). It will be retried automatically; ` +
        `if it persists, check https://status.apollo.io.`,
      base,
    );
  }
  return new ApolloError(
    "bad_response",
    `Apollo answered ${endpoint} with an unexpected HTTP ${status}. It will be retried automatically.`,
    base,
  );
}
