import { render } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { Providers } from "../App";
import { ConfirmEmailPage } from "../auth/ConfirmEmailPage";
import { ForgotPasswordPage } from "../auth/ForgotPasswordPage";
import { CONFIRM_PATH, RESET_PATH } from "../auth/redirect";
import { ResetPasswordPage } from "../auth/ResetPasswordPage";
import { SignInPage } from "../auth/SignInPage";
import { SignUpPage } from "../auth/SignUpPage";
import { createFakeSupabase } from "./fake-supabase";
import { testQueryClient } from "./render";

/** The public routes as App.tsx has them, and a stand-in for the signed-in app. */
function AuthRoutesForTests() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/sign-up" element={<SignUpPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path={CONFIRM_PATH} element={<ConfirmEmailPage />} />
      <Route path={RESET_PATH} element={<ResetPasswordPage />} />
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
  return { ...utils, fake };
}
