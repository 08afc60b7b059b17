import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { authApiError } from "../test/auth-errors";
import { renderAuthRoutes } from "../test/auth-routes";
import { fillIn } from "../test/render";

async function fill(user: ReturnType<typeof userEvent.setup>, password: string, repeat = password) {
  await fillIn(user, await screen.findByLabelText(/^New password/), password);
  await fillIn(user, screen.getByLabelText(/^Repeat the new password/), repeat);
  await user.click(screen.getByRole("button", { name: "Save new password" }));
}

describe("ResetPasswordPage (where the reset link lands)", () => {
  it("signed in by the link: sets the new password, then goes to the app", async () => {
    const { user, fake } = renderAuthRoutes("/reset-password", { signedIn: true, hash: "#access_token=t&type=recovery" });
    expect(await screen.findByRole("heading", { name: "Choose a new password" })).toBeInTheDocument();
    expect(screen.getByText("demo@example.com")).toBeInTheDocument();
    await fill(user, "a-new-password");
    expect(fake.client.auth.updateUser).toHaveBeenCalledWith({ password: "a-new-password" });
    expect(await screen.findByText("Accounts page")).toBeInTheDocument();
  });

  it("checks the new password's length and that it was typed the same twice, before asking Auth", async () => {
    const { user, fake } = renderAuthRoutes("/reset-password", { signedIn: true });
    await fill(user, "short");
    expect(screen.getByText("Use at least 8 characters.")).toBeInTheDocument();
    await user.clear(screen.getByLabelText(/^New password/));
    await user.clear(screen.getByLabelText(/^Repeat the new password/));
    await fill(user, "a-new-password", "a-new-passwort");
    expect(screen.getByText("The two passwords are not the same.")).toBeInTheDocument();
    expect(fake.client.auth.updateUser).not.toHaveBeenCalled();
  });

  it("the same password as before is explained (same_password)", async () => {
    const { user, fake } = renderAuthRoutes("/reset-password", { signedIn: true });
    fake.client.auth.updateUser.mockResolvedValueOnce({
      data: { user: null },
      error: authApiError(422, "same_password", "New password should be different from the old password."),
    } as never);
    await fill(user, "the-old-password");
    expect(await screen.findByRole("alert")).toHaveTextContent("The new password is the same as the old one.");
  });

  it("an expired link: says so and offers a new one", async () => {
    renderAuthRoutes("/reset-password", {
      hash: "#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=",
    });
    expect(await screen.findByRole("heading", { name: "This reset link has expired" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Send a new reset link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("without a session: asks for the link from the email", async () => {
    renderAuthRoutes("/reset-password");
    expect(await screen.findByText(/Open the link in the password reset email/)).toBeInTheDocument();
  });
});
