// GoTrue's error responses. Clients that send `X-Supabase-Api-Version: 2024-01-01` (auth-js does)
// get `{code, message}` and the header echoed back, which is what makes auth-js read `code`;
// older clients get the initial format `{code: <status>, error_code, msg}`. Same as
// supabase/auth internal/api/errors.go (HandleResponseError).
import { json } from "../http.ts";

export const API_VERSION_HEADER = "x-supabase-api-version";
const API_VERSION_2024_01_01 = "2024-01-01";

export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level fields, e.g. weak_password: {reasons}. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new AuthApiError(400, code, message);
export const unprocessable = (code: string, message: string) => new AuthApiError(422, code, message);
export const forbidden = (code: string, message: string) => new AuthApiError(403, code, message);

export function weakPassword(minimumLength: number): AuthApiError {
  return new AuthApiError(422, "weak_password", `Password should be at least ${minimumLength} characters.`, {
    weak_password: { reasons: ["length"] },
  });
}

/** The closest API version GoTrue knows for the request header: 2024-01-01 or the initial one (null). */
function requestApiVersion(req: Request): string | null {
  const header = req.headers.get(API_VERSION_HEADER);
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return null;
  const date = Date.parse(`${header}T00:00:00Z`);
  if (Number.isNaN(date)) return null;
  return date >= Date.parse(`${API_VERSION_2024_01_01}T00:00:00Z`) ? API_VERSION_2024_01_01 : null;
}

export function errorResponse(error: AuthApiError, req: Request): Response {
  const version = requestApiVersion(req);
  if (version) {
    return json({ code: error.code, message: error.message, ...error.extra }, error.status, {
      [API_VERSION_HEADER]: version,
    });
  }
  return json({ code: error.status, error_code: error.code, msg: error.message, ...error.extra }, error.status);
}
