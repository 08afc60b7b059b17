import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authApiError } from "../test/auth-errors";
import { expectConfirmationResent, refusedSignIn, renderAuthRoutes } from "../test/auth-routes";
import { fillIn } from "../test/render";

/** What Auth answers a sign-up on a project with email confirmation: the user, no session. */
const newUser = (identities: unknown[]) => ({
  data: { session: null, user: { id: "u1", email: "new@example.com", identities } },
  error: null,
});

async function signUp(email = "new@example.com", password = "long-enough-password", { fakeTimers = false } = {}) {
  const user = userEvent.setup(fakeTimers ? { delay: null, advanceTimers: vi.advanceTimersByTime } : { delay: null });
  await fillIn(user, await screen.findByLabelText(/Email/), email);
  await fillIn(user, screen.getByLabelText(/Password/), password);
  await user.click(screen.getByRole("button", { name: "Create account" }));
  return user;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SignUpPage", () => {
  it("a new account: 'check your email' naming the address, asking Auth to send the link back to /auth/confirm", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce(newUser([{ provider: "email" }]) as never);
    await signUp();
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
    expect(screen.getByText("new@example.com")).toBeInTheDocument();
    expect(screen.getByText(/We sent a confirmation link to/)).toBeInTheDocument();
    expect(fake.client.auth.signUp).toHaveBeenCalledWith({
      email: "new@example.com",
      password: "long-enough-password",
      options: { emailRedirectTo: `${window.location.origin}/auth/confirm` },
    });
  });

  it("Resend waits out Auth's 60 s between two emails, then sends, then waits again", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce(newUser([{ provider: "email" }]) as never);
    const user = await signUp(undefined, undefined, { fakeTimers: true });
    const waiting = await screen.findByRole("button", { name: /Resend email \(in (59|60) s\)/ });
    expect(waiting).toBeDisabled();
    await act(async () => {
      vi.advanceTimersByTime(61_000);
    });
    const ready = screen.getByRole("button", { name: "Resend email" });
    expect(ready).toBeEnabled();
    await user.click(ready);
    await expectConfirmationResent(fake, "new@example.com");
    expect(screen.getByRole("button", { name: /Resend email \(in \d+ s\)/ })).toBeDisabled();
  });

  it("a resend Auth refuses as too soon (429): explains, and counts down the seconds Auth named", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce(newUser([{ provider: "email" }]) as never);
    const user = await signUp(undefined, undefined, { fakeTimers: true });
    await screen.findByRole("heading", { name: "Check your email" });
    await act(async () => {
      vi.advanceTimersByTime(61_000);
    });
    fake.client.auth.resend.mockResolvedValueOnce({
      data: { user: null, session: null },
      error: authApiError(429, "over_email_send_rate_limit", "For security purposes, you can only request this after 42 seconds."),
    } as never);
    await user.click(screen.getByRole("button", { name: "Resend email" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("We sent you an email a moment ago.");
    expect(screen.getByRole("alert")).toHaveTextContent("Wait 42 seconds before asking for another one.");
    expect(screen.getByRole("button", { name: "Resend email (in 42 s)" })).toBeDisabled();
  });

  it("an address that already has an account (a user without identities): never claims an account was created", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce(newUser([]) as never);
    await signUp("demo@example.com");
    expect(await screen.findByRole("heading", { name: "Do you already have an account?" })).toBeInTheDocument();
    expect(screen.getByText(/If an account already exists for/)).toHaveTextContent(
      "If an account already exists for demo@example.com, signing up again does not create another one and sends no email.",
    );
    expect(screen.queryByText(/created|check your email|we sent/i)).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Reset your password" })).toBeInTheDocument();
    expect(fake.client.auth.resend).not.toHaveBeenCalled();
  });

  it("a project without email confirmation signs the new user in at once", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    await signUp();
    expect(await screen.findByText("Accounts page")).toBeInTheDocument();
    expect(fake.client.auth.signUp).toHaveBeenCalledTimes(1);
  });

  it("the built-in mailer's refusal (email_address_not_authorized) is explained, not shown raw", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce({
      data: { user: null, session: null },
      error: authApiError(400, "email_address_not_authorized", 'Email address "new@example.com" cannot be used as it is not authorized'),
    } as never);
    await signUp();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("We can't send email to this address yet.");
    expect(alert).toHaveTextContent("This app's email sending is not fully set up");
    expect(alert).not.toHaveTextContent("not authorized");
  });

  it("checks the password length before asking Auth", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    await signUp("new@example.com", "short");
    expect(await screen.findByText("Use at least 8 characters.")).toBeInTheDocument();
    expect(fake.client.auth.signUp).not.toHaveBeenCalled();
  });

  it("names the workspace from the optional field (workspace_name in the sign-up metadata)", async () => {
    const { user, fake } = renderAuthRoutes("/sign-up");
    fake.client.auth.signUp.mockResolvedValueOnce(newUser([{ provider: "email" }]) as never);
    await fillIn(user, await screen.findByLabelText(/Email/), "new@example.com");
    expect(screen.getByText(/Left empty, it is called "new's workspace"/)).toBeInTheDocument();
    await fillIn(user, screen.getByLabelText(/Password/), "long-enough-password");
    await fillIn(user, screen.getByLabelText(/Workspace name/), "  Acme Sales  ");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
    expect(fake.client.auth.signUp).toHaveBeenCalledWith({
      email: "new@example.com",
      password: "long-enough-password",
      options: { emailRedirectTo: `${window.location.origin}/auth/confirm`, data: { workspace_name: "Acme Sales" } },
    });
  });

  it("an empty workspace name sends none: the database names it after the address", async () => {
    const { fake } = renderAuthRoutes("/sign-up");
    await signUp();
    await screen.findByText("Accounts page");
    expect((fake.client.auth.signUp.mock.calls[0][0] as { options?: unknown }).options).toEqual({ emailRedirectTo: `${window.location.origin}/auth/confirm` });
  });

  it("opens clean after a failed sign-in: no error, no password carried over", async () => {
    const { user } = await refusedSignIn(authApiError(400, "invalid_credentials", "Invalid login credentials"));
    expect(await screen.findByRole("alert")).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Create an account" }));
    expect(await screen.findByRole("heading", { name: "Create your account" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByLabelText(/Email/)).toHaveValue("");
    expect(screen.getByLabelText(/Password/)).toHaveValue("");
    expect(screen.getByLabelText(/Workspace name/)).toHaveValue("");
  });
});
