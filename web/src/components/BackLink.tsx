// The link above a page's title back to where it is usually reached from.
import { ArrowLeft } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";

export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link to={to} className="back-link">
      <ArrowLeft aria-hidden="true" size={16} /> {children}
    </Link>
  );
}
