import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { Providers } from "../App";
import { createFakeSupabase } from "../test/fake-supabase";
import { testQueryClient } from "../test/render";
import { SignInPage, validateCredentials } from "./SignInPage";

function renderSignIn() {
  const fake = createFakeSupabase();
  fake.client.auth.getSession.mockResolvedValue({ data: { session: null }, error: null } as never);
  render(
    <MemoryRouter initialEntries={["/sign-in"]}>
      <Providers queryClient={testQueryClient()}>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/accounts" element={<p>Accounts page</p>} />
        </Routes>
      </Providers>
    </MemoryRouter>,
  );
  return fake;
}

describe("SignInPage", () => {
  it("checks the fields, then signs in with email and password", async () => {
    const user = userEvent.setup();
    const fake = renderSignIn();
    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter your email address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    await user.type(screen.getByLabelText(/Email/), "demo@example.com");
    await user.type(screen.getByLabelText(/Password/), "demo-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(fake.client.auth.signInWithPassword).toHaveBeenCalledWith({ email: "demo@example.com", password: "demo-password" });
    expect(await screen.findByText("Accounts page")).toBeInTheDocument();
  });

  it("says plainly when the credentials are wrong", async () => {
    const user = userEvent.setup();
    const fake = renderSignIn();
    fake.client.auth.signInWithPassword.mockResolvedValueOnce({
      data: { session: null, user: null },
      error: Object.assign(new Error("Invalid login credentials"), { name: "AuthApiError", status: 400 }),
    } as never);
    await user.type(await screen.findByLabelText(/Email/), "demo@example.com");
    await user.type(screen.getByLabelText(/Password/), "nope-nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is not right.");
  });

  it("validates sign-up passwords", () => {
    expect(validateCredentials("a@b.co", "123", "sign-up").password).toBe("Use at least 6 characters.");
    expect(validateCredentials("nope", "123456", "sign-in").email).toMatch(/like name@company.com/);
    expect(validateCredentials("a@b.co", "123456", "sign-up")).toEqual({});
  });
});
