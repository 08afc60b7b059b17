import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { authApiError } from "../test/auth-errors";
import { expectConfirmationResent, refusedSignIn, renderAuthRoutes } from "../test/auth-routes";
import { fillIn } from "../test/render";
import { validateCredentials } from "./SignInPage";

describe("SignInPage", () => {
  it("checks the fields, then signs in with email and password", async () => {
    const { user, fake } = renderAuthRoutes("/sign-in");
    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter your email address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    await fillIn(user, screen.getByLabelText(/Email/), "demo@example.com");
    await fillIn(user, screen.getByLabelText(/Password/), "demo-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(fake.client.auth.signInWithPassword).toHaveBeenCalledWith({ email: "demo@example.com", password: "demo-password" });
    expect(await screen.findByText("Accounts page")).toBeInTheDocument();
  });

  it("says plainly when the credentials are wrong", async () => {
    await refusedSignIn(Object.assign(new Error("Invalid login credentials"), { name: "AuthApiError", status: 400 }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is not right.");
  });

  it("an unconfirmed address: says so and resends the confirmation email to it, then counts down", async () => {
    const { user, fake } = await refusedSignIn(authApiError(400, "email_not_confirmed", "Email not confirmed"), "new@example.com");
    expect(await screen.findByRole("alert")).toHaveTextContent("Your email address is not confirmed yet.");
    await user.click(screen.getByRole("button", { name: "Resend the confirmation email" }));
    await expectConfirmationResent(fake, "new@example.com");
    expect(screen.getByRole("button", { name: /Resend the confirmation email \(in \d+ s\)/ })).toBeDisabled();
  });

  it("links to the password reset page with the address typed so far", async () => {
    const { user } = renderAuthRoutes("/sign-in");
    await fillIn(user, await screen.findByLabelText(/Email/), "forgetful@example.com");
    await user.click(screen.getByRole("link", { name: "Forgot password?" }));
    expect(await screen.findByRole("heading", { name: "Reset your password" })).toBeInTheDocument();
    expect(screen.getByLabelText(/Email/)).toHaveValue("forgetful@example.com");
  });

  it("validates credentials: sign-up passwords need config.toml's minimum of 8 characters", () => {
    expect(validateCredentials("a@b.co", "1234567", "sign-up").password).toBe("Use at least 8 characters.");
    expect(validateCredentials("nope", "12345678", "sign-in").email).toMatch(/like name@company.com/);
    expect(validateCredentials("a@b.co", "12345678", "sign-up")).toEqual({});
    expect(validateCredentials("a@b.co", "x", "sign-in")).toEqual({});
  });
});
