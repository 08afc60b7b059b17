import { FunctionsFetchError, FunctionsHttpError } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { authCodeMessage, formatError, functionError, secondsToWait, toUserError, unwrap, unwrapMaybe, UserFacingError } from "./errors";

describe("formatError", () => {
  it("shows a PostgREST error's message and hint (enqueue_enrichment: no domain)", () => {
    expect(
      formatError({
        code: "P0001",
        message: "This account has no domain",
        details: null,
        hint: "Apollo finds companies by their website domain: add one (e.g. acme.com), then enrich.",
      }),
    ).toEqual({
      message: "This account has no domain",
      hint: "Apollo finds companies by their website domain: add one (e.g. acme.com), then enrich.",
    });
  });

  it("keeps our RPCs' own words (PT404, PT409)", () => {
    expect(formatError({ code: "PT404", message: "Account not found", hint: "It may have been deleted." })).toEqual({
      message: "Account not found",
      hint: "It may have been deleted.",
    });
    expect(
      formatError({
        code: "PT409",
        message: "This job is completed and can no longer be cancelled",
        details: null,
        hint: "Only pending or processing jobs can be cancelled.",
      }).message,
    ).toBe("This job is completed and can no longer be cancelled");
  });

  it("rewrites raw database wording: a duplicate domain, an RLS refusal", () => {
    expect(
      formatError({
        code: "23505",
        message: 'duplicate key value violates unique constraint "accounts_workspace_domain_key"',
        details: "Key (workspace_id, domain)=(…) already exists.",
        hint: null,
      }).message,
    ).toBe("An account with this domain already exists in this workspace.");
    expect(
      formatError({ code: "42501", message: 'new row violates row-level security policy for table "accounts"', hint: null }).message,
    ).toBe("You don't have permission to do that in this workspace.");
  });

  it("says the server could not be reached on network failures", () => {
    expect(formatError({ code: "", message: "TypeError: Failed to fetch", details: "", hint: "" }).message).toBe(
      "Could not reach the server.",
    );
    expect(formatError(new TypeError("Failed to fetch")).message).toBe("Could not reach the server.");
    expect(formatError(new FunctionsFetchError({})).message).toBe("Could not reach the server.");
  });

  it("explains auth failures (auth-js errors carry a code, like PostgREST's)", () => {
    const error = Object.assign(new Error("Invalid login credentials"), { name: "AuthApiError", status: 400, code: "invalid_credentials" });
    expect(formatError(error)).toEqual({ message: "The email or password is not right.", hint: "Check them and try again." });
    const old = Object.assign(new Error("Invalid login credentials"), { name: "AuthApiError", status: 400 });
    expect(formatError(old).message).toBe("The email or password is not right.");
    const taken = Object.assign(new Error("User already registered"), { name: "AuthApiError", status: 422, code: "user_already_exists" });
    expect(formatError(taken).message).toBe("An account with this email already exists.");
  });

  it("never shows JSON or 'undefined'", () => {
    expect(formatError(undefined).message).toBe("Something went wrong. Please try again.");
    expect(formatError({}).message).toBe("Something went wrong. Please try again.");
    expect(formatError({ code: "XX000", message: "" }).message).toBe("Something went wrong. Please try again.");
  });
});

describe("Supabase Auth's error codes", () => {
  const auth = (status: number, code: string, message: string) => Object.assign(new Error(message), { name: "AuthApiError", status, code });

  it("each code a hosted project answers with gets its own words, never the server's wording", () => {
    const cases: Array<[number, string, string, RegExp]> = [
      [400, "email_not_confirmed", "Email not confirmed", /not confirmed yet.*Open the link in the email we sent you/],
      [422, "user_already_exists", "User already registered", /already exists.*Sign in instead/],
      [422, "email_exists", "A user with this email address has already been registered", /already exists/],
      [400, "email_address_not_authorized", 'Email address "x@y.z" cannot be used as it is not authorized', /can't send email to this address/],
      [400, "email_address_invalid", 'Email address "x@y.z" is invalid', /can't receive email/],
      [403, "otp_expired", "Email link is invalid or has expired", /expired or was already used.*ask for a new one/],
      [422, "same_password", "New password should be different from the old password.", /same as the old one/],
      [422, "signup_disabled", "Signups not allowed for this instance", /sign-ups are closed/],
      [400, "user_banned", "User is banned", /suspended/],
      [429, "over_request_rate_limit", "Request rate limit reached", /Too many attempts/],
      [403, "session_not_found", "Session from session_id claim in JWT does not exist", /session has expired.*Sign in again/],
      [400, "refresh_token_already_used", "Invalid Refresh Token: Already Used", /session has expired/],
      [400, "validation_failed", "Unable to validate email address: invalid format", /email address doesn't look right/],
      [500, "unexpected_failure", "Unexpected failure, please check server logs for more information", /ran into a problem/],
    ];
    for (const [status, code, message, expected] of cases) {
      const { message: words, hint } = formatError(auth(status, code, message));
      expect(`${words} ${hint ?? ""}`, code).toMatch(expected);
      expect(words, code).not.toBe(message);
    }
  });

  it("the email allowances: a per-address wait with its seconds, or the project's hourly limit", () => {
    expect(formatError(auth(429, "over_email_send_rate_limit", "For security purposes, you can only request this after 37 seconds.")))
      .toEqual({ message: "We sent you an email a moment ago.", hint: "Wait 37 seconds before asking for another one." });
    expect(formatError(auth(429, "over_email_send_rate_limit", "email rate limit exceeded")))
      .toEqual({ message: "This app has sent too many emails in the last hour.", hint: "Please try again later." });
    expect(secondsToWait("For security purposes, you can only request this after 1 second.")).toBe(1);
    expect(secondsToWait("email rate limit exceeded")).toBeUndefined();
  });

  it("keeps weak_password's own reason (it names the length), and words codes from a redirect's fragment", () => {
    expect(formatError(auth(422, "weak_password", "Password should be at least 8 characters.")).message).toBe(
      "Password should be at least 8 characters.",
    );
    expect(authCodeMessage("otp_expired").message).toBe("This link has expired or was already used.");
    expect(authCodeMessage("something_new", "Something new happened")).toEqual({ message: "Something new happened", hint: "Please try again." });
  });
});

describe("functionError", () => {
  const httpError = (status: number, body: string, type = "application/json") =>
    new FunctionsHttpError(new Response(body, { status, headers: { "Content-Type": type } }));

  it("uses the function's {error} text", async () => {
    const error = await functionError(httpError(422, JSON.stringify({ error: "Apollo rejected this API key: Invalid access credentials." })));
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toBe("Apollo rejected this API key: Invalid access credentials.");
    expect(error.status).toBe(422);
  });

  it("adds what to do for a 403", async () => {
    const error = await functionError(httpError(403, JSON.stringify({ error: "Only owners and admins can change the Apollo key" })));
    expect(error.message).toBe("Only owners and admins can change the Apollo key");
    expect(error.hint).toBe("Ask an owner or admin of this workspace.");
  });

  it("falls back to words when the body is not JSON", async () => {
    const error = await functionError(httpError(502, "<html>Bad gateway</html>", "text/html"));
    expect(error.message).toBe("The server ran into a problem.");
    expect(error.message).not.toContain("<html>");
  });
});

describe("unwrap", () => {
  it("returns data, throws a UserFacingError with the code", () => {
    expect(unwrap({ data: [1], error: null })).toEqual([1]);
    expect(unwrapMaybe({ data: null, error: null })).toBeNull();
    let thrown: unknown;
    try {
      unwrap({ data: null, error: { code: "PT404", message: "Account not found", hint: "Gone." } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserFacingError);
    expect((thrown as UserFacingError).message).toBe("Account not found");
    expect((thrown as UserFacingError & { code: string }).code).toBe("PT404");
    expect(toUserError(thrown)).toBe(thrown);
  });
});
