import { describe, expect, it } from "vitest";
import { appUrl, readAuthRedirect } from "./redirect";

describe("readAuthRedirect", () => {
  it("reads Auth's error fragment", () => {
    expect(
      readAuthRedirect("#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb="),
    ).toEqual({ kind: "error", code: "otp_expired", description: "Email link is invalid or has expired" });
    expect(readAuthRedirect("#error=server_error")).toEqual({ kind: "error", code: "server_error", description: "" });
  });

  it("recognises a session fragment and its type", () => {
    expect(readAuthRedirect("#access_token=a&expires_at=1&expires_in=3600&refresh_token=r&sb=&token_type=bearer&type=recovery"))
      .toEqual({ kind: "session", type: "recovery" });
  });

  it("anything else is nothing", () => {
    expect(readAuthRedirect("")).toBeNull();
    expect(readAuthRedirect("#section-2")).toBeNull();
  });

  it("builds the app's absolute URLs for Auth to send the browser back to", () => {
    expect(appUrl("/auth/confirm", "https://app.example.com")).toBe("https://app.example.com/auth/confirm");
  });
});
