import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router-dom";
import { AccountDetailPage } from "./accounts/AccountDetailPage";
import { WorkspaceActivityPage } from "./activity/WorkspaceActivityPage";
import { AccountsPage } from "./accounts/AccountsPage";
import { EditAccountPage } from "./accounts/EditAccountPage";
import { NewAccountPage } from "./accounts/NewAccountPage";
import { AuthProvider } from "./auth/AuthProvider";
import { ConfirmEmailPage } from "./auth/ConfirmEmailPage";
import { ForgotPasswordPage } from "./auth/ForgotPasswordPage";
import { CONFIRM_PATH, RESET_PATH } from "./auth/redirect";
import { RequireAuth } from "./auth/RequireAuth";
import { ResetPasswordPage } from "./auth/ResetPasswordPage";
import { SignInPage } from "./auth/SignInPage";
import { SignUpPage } from "./auth/SignUpPage";
import { EmptyState } from "./components/States";
import { ImportPage } from "./imports/ImportPage";
import { ImportStatusPage } from "./imports/ImportStatusPage";
import { JobDetailPage } from "./jobs/JobDetailPage";
import { JobsPage } from "./jobs/JobsPage";
import { AppLayout } from "./layout/AppLayout";
import { UserFacingError } from "./lib/errors";
import { ApiSettingsPage } from "./settings/ApiSettingsPage";
import { WorkspaceProvider } from "./workspace/WorkspaceProvider";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        // Errors we understand (not found, permission) are not worth retrying.
        retry: (count, error) => !(error instanceof UserFacingError && error.status && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * The pages anyone may open (signing in and up, the emailed links' pages). A fragment, not a
 * component: <Routes> reads its <Route> children as they are. The tests mount the same ones.
 */
export const publicRoutes = (
  <>
    <Route path="/sign-in" element={<SignInPage />} />
    <Route path="/sign-up" element={<SignUpPage />} />
    <Route path="/forgot-password" element={<ForgotPasswordPage />} />
    <Route path={CONFIRM_PATH} element={<ConfirmEmailPage />} />
    <Route path={RESET_PATH} element={<ResetPasswordPage />} />
  </>
);

export function AppRoutes() {
  return (
    <Routes>
      {publicRoutes}
      <Route
        element={
          <RequireAuth>
            <WorkspaceProvider>
              <AppLayout />
            </WorkspaceProvider>
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/accounts" replace />} />
        <Route path="/accounts" element={<AccountsPage />} />
        <Route path="/accounts/new" element={<NewAccountPage />} />
        <Route path="/accounts/import" element={<ImportPage />} />
        <Route path="/accounts/:id" element={<AccountDetailPage />} />
        <Route path="/accounts/:id/edit" element={<EditAccountPage />} />
        <Route path="/jobs" element={<JobsPage />} />
        <Route path="/jobs/:id" element={<JobDetailPage />} />
        <Route path="/imports/:id" element={<ImportStatusPage />} />
        <Route path="/workspace/settings/api" element={<ApiSettingsPage />} />
        <Route path="/workspace/activity" element={<WorkspaceActivityPage />} />
        <Route path="/settings" element={<Navigate to="/workspace/settings/api" replace />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <main className="page">
      <EmptyState title="Page not found" action={<Link to="/accounts">Go to accounts</Link>}>
        <p>There is nothing at this address.</p>
      </EmptyState>
    </main>
  );
}

export function Providers({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={client}>
      <AuthProvider>{children}</AuthProvider>
    </QueryClientProvider>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <Providers>
        <AppRoutes />
      </Providers>
    </BrowserRouter>
  );
}
