import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { AppSkeleton } from "../components/States";
import { useAuth } from "./AuthProvider";

export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <AppSkeleton label="Checking your session…" />;
  if (!user) return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}
