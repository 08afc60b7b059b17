import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { expectConfirmationResent, renderAuthRoutes } from "../test/auth-routes";
import { fillIn } from "../test/render";

const EXPIRED = "#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=";

describe("ConfirmEmailPage (where the confirmation link lands)", () => {
  it("with the session Auth put in the fragment, the user lands in the app signed in", async () => {
    renderAuthRoutes("/auth/confirm", { signedIn: true, hash: "#access_token=t&expires_in=3600&refresh_token=r&token_type=bearer&type=signup" });
    expect(await screen.findByText("Accounts page")).toBeInTheDocument();
  });

  it("an expired or used link: says so in words and sends a new link to the address given", async () => {
    const { user, fake } = renderAuthRoutes("/auth/confirm", { hash: EXPIRED });
    expect(await screen.findByRole("heading", { name: "This confirmation link has expired" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("The link has expired or was already used.");
    expect(screen.getByRole("alert")).not.toHaveTextContent("invalid");
    await user.click(screen.getByRole("button", { name: "Send a new link" }));
    expect(await screen.findByText("Enter your email address.")).toBeInTheDocument();
    expect(fake.client.auth.resend).not.toHaveBeenCalled();
    await fillIn(user, screen.getByLabelText(/Email/), "late@example.com");
    await user.click(screen.getByRole("button", { name: "Send a new link" }));
    await expectConfirmationResent(fake, "late@example.com");
    expect(screen.getByRole("link", { name: "Sign in" })).toBeInTheDocument();
  });

  it("another error from Auth is explained by its code", async () => {
    renderAuthRoutes("/auth/confirm", { hash: "#error=access_denied&error_code=user_banned&error_description=User+is+banned&sb=" });
    expect(await screen.findByRole("heading", { name: "We could not confirm your email" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("This account is suspended.");
  });

  it("opened without a link's outcome: tells the visitor to open the email", async () => {
    renderAuthRoutes("/auth/confirm");
    expect(await screen.findByRole("heading", { name: "Confirm your email" })).toBeInTheDocument();
    expect(screen.getByText(/Open the link in the email we sent you/)).toBeInTheDocument();
  });
});
