import { FunctionsFetchError, FunctionsHttpError } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { formatError, functionError, toUserError, unwrap, unwrapMaybe, UserFacingError } from "./errors";

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
