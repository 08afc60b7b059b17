import { Route, Routes } from "react-router-dom";
import { ConfirmEmailPage } from "../auth/ConfirmEmailPage";
import { ForgotPasswordPage } from "../auth/ForgotPasswordPage";
import { CONFIRM_PATH, RESET_PATH } from "../auth/redirect";
import { ResetPasswordPage } from "../auth/ResetPasswordPage";
import { SignInPage } from "../auth/SignInPage";
import { SignUpPage } from "../auth/SignUpPage";

/** The public routes as App.tsx has them, and a stand-in for the signed-in app. */
export function AuthRoutesForTests() {
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
