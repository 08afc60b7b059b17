import { render, screen } from "@testing-library/react";
import { expect } from "vitest";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { Providers, publicRoutes } from "../App";
import { createFakeSupabase } from "./fake-supabase";
import { fillIn, testQueryClient } from "./render";

/** The public routes of App.tsx, and a stand-in for the signed-in app. */
function AuthRoutesForTests() {
  return (
    <Routes>
      {publicRoutes}
      <Route path="/accounts" element={<p>Accounts page</p>} />
    </Routes>
  );
}

/**
 * The app's public routes (sign-in, sign-up, the emailed links' pages) at `path`, for a visitor with
 * no session unless `signedIn`; other routes render their name, so a test sees where it went.
 * `hash` is the URL fragment an emailed link came back with.
 */
export function renderAuthRoutes(path: string, { signedIn = false, hash = "" } = {}) {
  window.history.replaceState(null, "", `${path.split("?")[0]}${hash}`);
  const fake = createFakeSupabase();
  if (!signedIn) fake.client.auth.getSession.mockResolvedValue({ data: { session: null }, error: null } as never);
  const utils = render(
    <MemoryRouter initialEntries={[path]}>
      <Providers queryClient={testQueryClient()}>
        <AuthRoutesForTests />
      </Providers>
    </MemoryRouter>,
  );
  return { ...utils, fake, user: userEvent.setup({ delay: null }) };
}

/**
 * On /sign-in a visitor types `email` and a password and presses Sign in; Auth refuses with
 * `error`. The user-event session and the fake, for what the test does next.
 */
export async function refusedSignIn(error: Error, email = "demo@example.com") {
  const { user, fake } = renderAuthRoutes("/sign-in");
  fake.client.auth.signInWithPassword.mockResolvedValueOnce({ data: { session: null, user: null }, error } as never);
  await fillIn(user, await screen.findByLabelText(/Email/), email);
  await fillIn(user, screen.getByLabelText(/Password/), "not-the-password");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  return { user, fake };
}

/** Auth was asked to send `email` its confirmation link again, back to /auth/confirm, and the page says it was sent. */
export async function expectConfirmationResent(fake: ReturnType<typeof createFakeSupabase>, email: string) {
  expect(fake.client.auth.resend).toHaveBeenCalledWith({
    type: "signup",
    email,
    options: { emailRedirectTo: `${window.location.origin}/auth/confirm` },
  });
  expect(await screen.findByText(/Sent again/)).toBeInTheDocument();
}
