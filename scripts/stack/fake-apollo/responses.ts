// Apollo's answers, byte for byte where we know them (see shared/reference/apollo-api.md): JSON success
// bodies, and the inconsistent error envelope (text/plain 401, {"error"} 422, {"message"} 429, HTML 502/503).

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** A body whose JSON text is given verbatim (e.g. to write 345600000.0, which JSON.stringify cannot). */
export function rawJson(text: string, status = 200): Response {
  return new Response(text, { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const MESSAGES = {
  invalidCredentials: "Invalid access credentials.",
  keyRequired: "Api key required",
  keyInHeader: "API key must be passed in the X-Api-Key header for security reasons",
  insufficientCredits: "Insufficient credits. Please upgrade your plan.",
  missingDomain: "Required parameter 'domain' missing",
  // The bulk docs say "cannot be more than 10"; Apollo's exact words for this 422 are not recorded.
  tooManyDomains: "Too many domains: cannot be more than 10 domains per request",
  tooManyDetails: "Too many details: cannot be more than 10 people per request",
} as const;

export interface ErrorOptions {
  /** "api/v1/organizations/enrich": Apollo names the endpoint in 403 and 429 bodies. */
  endpoint: string;
  /** Sent as retry-after on a 429 (default 1); may have decimals with scaled-down windows. */
  retryAfterSeconds?: number;
  /** The spent window a 429 names (default: 600 per hour, the docs' example). */
  limit?: { value: number; per: "minute" | "hour" | "day" };
  /** 401 in the older JSON form instead of text/plain. */
  jsonUnauthorized?: boolean;
  /** 422 wording (default: the missing-domain message). */
  message?: string;
}

/** What Apollo sends for this status. */
export function apolloError(status: number, options: ErrorOptions): Response {
  const reason = REASONS[status] ?? "Error";
  switch (status) {
    case 401:
      return options.jsonUnauthorized
        ? json({ status: 401, message: MESSAGES.invalidCredentials }, 401)
        : new Response(MESSAGES.invalidCredentials, {
          status: 401,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
    case 403:
      return json(
        { error: `${options.endpoint} is not accessible with this api_key`, error_code: "API_INACCESSIBLE" },
        403,
      );
    case 422:
      return json({ error: options.message ?? MESSAGES.missingDomain }, 422);
    case 429:
      return json(
        {
          message:
            `The maximum number of api calls allowed for ${options.endpoint} is ${options.limit?.value ?? 600} ` +
            `times per ${
              options.limit?.per ?? "hour"
            }. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade.`,
        },
        429,
        { "retry-after": String(options.retryAfterSeconds ?? 1) },
      );
    case 502:
    case 503:
    case 504:
      return new Response(
        `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
        { status, headers: { "content-type": "text/html" } },
      );
    default:
      return status >= 500
        ? json({ status, error: reason }, status)
        : json({ error: options.message ?? reason }, status);
  }
}
