import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { authApiError } from "../test/auth-errors";
import { renderAuthRoutes } from "../test/auth-routes";
import { fillIn } from "../test/render";

describe("ForgotPasswordPage", () => {
  it("asks Auth for a reset link that lands on /reset-password, and says no more than Auth knows", async () => {
    const { user, fake } = renderAuthRoutes("/forgot-password");
    await user.click(await screen.findByRole("button", { name: "Send reset link" }));
    expect(screen.getByText("Enter your email address.")).toBeInTheDocument();
    await fillIn(user, screen.getByLabelText(/Email/), "someone@example.com");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(fake.client.auth.resetPasswordForEmail).toHaveBeenCalledWith("someone@example.com", {
      redirectTo: `${window.location.origin}/reset-password`,
    });
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
    expect(screen.getByText(/If an account exists for/)).toHaveTextContent(
      "If an account exists for someone@example.com, we sent it a link to choose a new password.",
    );
    expect(screen.getByRole("button", { name: /Resend email \(in \d+ s\)/ })).toBeDisabled();
  });

  it("a second request too soon is explained with the wait Auth names", async () => {
    const { user, fake } = renderAuthRoutes("/forgot-password");
    fake.client.auth.resetPasswordForEmail.mockResolvedValueOnce({
      data: null,
      error: authApiError(429, "over_email_send_rate_limit", "For security purposes, you can only request this after 17 seconds."),
    } as never);
    await fillIn(user, await screen.findByLabelText(/Email/), "someone@example.com");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wait 17 seconds before asking for another one.");
  });
});
