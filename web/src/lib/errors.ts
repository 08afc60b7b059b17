// Turning whatever went wrong into words a user understands: PostgREST errors (message + hint),
// Edge Function errors ({error} bodies), Auth errors and network failures. Never raw JSON.
import { FunctionsFetchError, FunctionsHttpError, FunctionsRelayError } from "@supabase/supabase-js";

export interface UserMessage {
  /** One sentence: what happened. */
  message: string;
  /** What to do about it, when we know. */
  hint?: string;
}

/** An error whose message is already meant for users (it is shown as it is). */
export class UserFacingError extends Error {
  override name = "UserFacingError";
  constructor(message: string, readonly hint?: string, readonly status?: number) {
    super(message);
  }
}

type PostgrestLike = { code?: unknown; message?: unknown; details?: unknown; hint?: unknown };

const NETWORK = /failed to fetch|networkerror|load failed|network request failed|fetch failed|econnrefused/i;

const POSTGRES_CODES: Record<string, UserMessage> = {
  "42501": { message: "You don't have permission to do that in this workspace." },
  "23505": { message: "That already exists.", hint: "Each domain can only be used by one account in a workspace." },
  "23514": { message: "Some of the values are not allowed.", hint: "Check the fields and try again." },
  "23503": { message: "That refers to something that no longer exists." },
  "22P02": { message: "One of the values has the wrong format." },
  PGRST116: { message: "Not found.", hint: "It may have been deleted, or it belongs to another workspace." },
  PGRST301: { message: "Your session has expired.", hint: "Sign in again." },
  PGRST303: { message: "Your session has expired.", hint: "Sign in again." },
};

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/** PostgREST's own wording for a few well-known database messages that read badly as they are. */
function friendlyDatabaseMessage(code: string | undefined, message: string): UserMessage | undefined {
  if (code === "23505" && /accounts_workspace_domain_key/.test(message)) {
    return { message: "An account with this domain already exists in this workspace." };
  }
  if (code === "23514" && /accounts_domain_check|domain/.test(message)) {
    return { message: "That domain doesn't look right.", hint: "Use a bare domain such as acme.com." };
  }
  if (code && POSTGRES_CODES[code] && /violates|invalid input|permission denied|JWT|0 rows|multiple \(or no\) rows/i.test(message)) {
    return POSTGRES_CODES[code];
  }
  return undefined;
}

const SIGN_IN_AGAIN: UserMessage = { message: "Your session has expired.", hint: "Sign in again." };

/** The seconds GoTrue names in "For security purposes, you can only request this after 42 seconds." */
export function secondsToWait(text: string): number | undefined {
  const match = text.match(/after (\d+) seconds?/i);
  return match ? Number(match[1]) : undefined;
}

/**
 * Supabase Auth's error codes (the JSON `code`, which auth-js puts on AuthApiError.code), in words.
 * A function gets the server's message, for the codes whose message carries a detail worth keeping.
 */
const AUTH_CODES: Record<string, UserMessage | ((text: string) => UserMessage)> = {
  invalid_credentials: { message: "The email or password is not right.", hint: "Check them and try again." },
  email_not_confirmed: {
    message: "Your email address is not confirmed yet.",
    hint: "Open the link in the email we sent you, or send it again.",
  },
  user_already_exists: { message: "An account with this email already exists.", hint: "Sign in instead." },
  email_exists: { message: "An account with this email already exists.", hint: "Sign in instead." },
  weak_password: (text) => ({ message: text || "That password is too weak.", hint: "Use a longer password." }),
  same_password: { message: "The new password is the same as the old one.", hint: "Choose a different password." },
  over_email_send_rate_limit: (text) => {
    const seconds = secondsToWait(text);
    return seconds !== undefined
      ? { message: "We sent you an email a moment ago.", hint: `Wait ${seconds} seconds before asking for another one.` }
      : { message: "This app has sent too many emails in the last hour.", hint: "Please try again later." };
  },
  over_request_rate_limit: { message: "Too many attempts.", hint: "Wait a minute and try again." },
  email_address_not_authorized: {
    message: "We can't send email to this address yet.",
    hint: "This app's email sending is not fully set up; please contact the team that runs it.",
  },
  email_address_invalid: { message: "That email address can't receive email.", hint: "Check it, or use another address." },
  otp_expired: {
    message: "This link has expired or was already used.",
    hint: "Links work once and expire after an hour: ask for a new one.",
  },
  signup_disabled: { message: "New sign-ups are closed.", hint: "Ask the team that runs this app for access." },
  email_provider_disabled: {
    message: "Signing in with email is turned off.",
    hint: "Ask the team that runs this app.",
  },
  user_banned: { message: "This account is suspended.", hint: "Contact the team that runs this app." },
  user_not_found: SIGN_IN_AGAIN,
  session_not_found: SIGN_IN_AGAIN,
  session_expired: SIGN_IN_AGAIN,
  refresh_token_not_found: SIGN_IN_AGAIN,
  refresh_token_already_used: SIGN_IN_AGAIN,
  bad_jwt: SIGN_IN_AGAIN,
  no_authorization: SIGN_IN_AGAIN,
  reauthentication_needed: { message: "Please sign in again to do that.", hint: "For your security, this needs a recent sign-in." },
  captcha_failed: { message: "The security check did not pass.", hint: "Reload the page and try again." },
  request_timeout: { message: "The server took too long to answer.", hint: "Please try again." },
  unexpected_failure: { message: "The sign-in service ran into a problem.", hint: "Please try again in a moment." },
  validation_failed: (text) =>
    /email/i.test(text)
      ? { message: "That email address doesn't look right.", hint: "Use an address like name@company.com." }
      : { message: text || "Some of the details are not valid.", hint: "Check them and try again." },
};

/** Auth (GoTrue) errors, by their code or, for older servers, their message. */
function authMessage(error: unknown): UserMessage | undefined {
  if (!(error instanceof Error) || !error.name.startsWith("Auth")) return undefined;
  const code = (error as { code?: unknown }).code;
  const text = error.message ?? "";
  const known = typeof code === "string" ? AUTH_CODES[code] : undefined;
  if (known) return typeof known === "function" ? known(text) : known;
  if (/invalid login credentials/i.test(text)) return AUTH_CODES.invalid_credentials as UserMessage;
  if (/email not confirmed/i.test(text)) return AUTH_CODES.email_not_confirmed as UserMessage;
  if (/already registered|already exists/i.test(text)) return AUTH_CODES.user_already_exists as UserMessage;
  if ((error as { status?: number }).status === 429) return AUTH_CODES.over_request_rate_limit as UserMessage;
  if (error.name === "AuthRetryableFetchError" || NETWORK.test(text)) {
    return { message: "Could not reach the server.", hint: "Check your connection and try again." };
  }
  return text ? { message: text } : { message: "Signing in did not work. Please try again." };
}

/** The words for an Auth error code that came without an error object (e.g. in a redirect's URL fragment). */
export function authCodeMessage(code: string, text = ""): UserMessage {
  const known = AUTH_CODES[code];
  if (known) return typeof known === "function" ? known(text) : known;
  return { message: text || "Something went wrong with this link.", hint: "Please try again." };
}

function isPostgrestError(error: unknown): error is PostgrestLike & { message: string } {
  return typeof error === "object" && error !== null && "message" in error && "code" in error && !(error instanceof Error && error.name.startsWith("Functions"));
}

/** Synchronous formatting: everything but reading an Edge Function's error body. */
export function formatError(error: unknown): UserMessage {
  if (error instanceof UserFacingError) return { message: error.message, hint: error.hint };
  if (error === null || error === undefined) return { message: "Something went wrong. Please try again." };
  if (typeof error === "string") return { message: error };

  if (error instanceof FunctionsFetchError || error instanceof FunctionsRelayError) {
    return { message: "Could not reach the server.", hint: "Check your connection and try again." };
  }
  if (error instanceof FunctionsHttpError) {
    const status = (error.context as Response | undefined)?.status;
    return { message: status ? `The request failed (HTTP ${status}).` : "The request failed.", hint: "Please try again." };
  }

  const auth = authMessage(error);
  if (auth) return auth;

  if (isPostgrestError(error)) {
    const code = nonEmpty(error.code);
    const message = nonEmpty(error.message) ?? "";
    if (NETWORK.test(message)) {
      return { message: "Could not reach the server.", hint: "Check your connection and try again." };
    }
    const friendly = friendlyDatabaseMessage(code, message);
    if (friendly) return friendly;
    return { message: message || "Something went wrong. Please try again.", hint: nonEmpty(error.hint) };
  }

  if (error instanceof Error) {
    if (NETWORK.test(error.message) || error.name === "AuthRetryableFetchError") {
      return { message: "Could not reach the server.", hint: "Check your connection and try again." };
    }
    return { message: error.message || "Something went wrong. Please try again." };
  }
  return { message: "Something went wrong. Please try again." };
}

/** Reads the `{error, details?}` body an Edge Function answered with, so its words reach the user. */
export async function functionError(error: unknown): Promise<UserFacingError> {
  if (error instanceof FunctionsHttpError) {
    const response = error.context as Response | undefined;
    const status = response?.status;
    let body: unknown;
    try {
      body = await response?.clone().json();
    } catch {
      body = undefined;
    }
    const text = typeof body === "object" && body !== null
      ? nonEmpty((body as { error?: unknown }).error) ?? nonEmpty((body as { message?: unknown }).message)
      : undefined;
    if (text) return new UserFacingError(text, hintForStatus(status), status);
    return new UserFacingError(messageForStatus(status), hintForStatus(status), status);
  }
  const { message, hint } = formatError(error);
  return new UserFacingError(message, hint);
}

function messageForStatus(status: number | undefined): string {
  switch (status) {
    case 401:
      return "Your session has expired.";
    case 403:
      return "You don't have permission to do that.";
    case 404:
      return "This service is not available.";
    case 429:
      return "Too many requests right now.";
    default:
      return status && status >= 500 ? "The server ran into a problem." : "The request failed.";
  }
}

function hintForStatus(status: number | undefined): string | undefined {
  switch (status) {
    case 401:
      return "Sign in again.";
    case 403:
      return "Ask an owner or admin of this workspace.";
    case 429:
      return "Wait a moment and try again.";
    default:
      return status && status >= 500 ? "Please try again in a moment." : undefined;
  }
}

/** Throws the PostgREST error of a supabase-js result, or returns its data (an empty answer is an error). */
export function unwrap<R extends { data: unknown; error: unknown }>(result: R): NonNullable<R["data"]> {
  if (result.error) throw toUserError(result.error);
  if (result.data === null || result.data === undefined) {
    throw new UserFacingError("The server sent an empty answer.", "Please try again.");
  }
  return result.data as NonNullable<R["data"]>;
}

/** Like unwrap, for `.maybeSingle()`: null when there is no such row. */
export function unwrapMaybe<R extends { data: unknown; error: unknown }>(result: R): NonNullable<R["data"]> | null {
  if (result.error) throw toUserError(result.error);
  return (result.data ?? null) as NonNullable<R["data"]> | null;
}

/**
 * Like unwrap, for `.maybeSingle()` of the record a page is about: no such row (deleted, or hidden by
 * RLS in another workspace) is a 404 that says `message` and `hint`.
 */
export function unwrapFound<R extends { data: unknown; error: unknown }>(result: R, message: string, hint: string): NonNullable<R["data"]> {
  const row = unwrapMaybe(result);
  if (row === null) throw new UserFacingError(message, hint, 404);
  return row;
}

/** A record's query retries twice, but not a 404: asking again will not find it. */
export function retryUnlessNotFound(failureCount: number, error: unknown): boolean {
  return !(error instanceof UserFacingError && error.status === 404) && failureCount < 2;
}

export function toUserError(error: unknown): UserFacingError {
  if (error instanceof UserFacingError) return error;
  const { message, hint } = formatError(error);
  const status = typeof error === "object" && error !== null && "status" in error ? Number((error as { status: unknown }).status) : undefined;
  const out = new UserFacingError(message, hint, Number.isFinite(status) ? status : undefined);
  if (typeof error === "object" && error !== null && "code" in error) {
    (out as UserFacingError & { code?: unknown }).code = (error as { code: unknown }).code;
  }
  return out;
}
