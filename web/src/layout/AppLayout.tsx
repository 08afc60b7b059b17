import { Activity, Briefcase, Building2, KeyRound, LogOut, Sparkles } from "lucide-react";
import { NavLink, Outlet } from "react-router-dom";
import { canSeeActivity } from "../activity/queries";
import { useAuth } from "../auth/AuthProvider";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { WorkspaceSwitcher } from "../workspace/WorkspaceSwitcher";

export function AppLayout() {
  const { user, signOut } = useAuth();
  const { current } = useWorkspace();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/accounts" className="brand" aria-label="Enrichment Jobs home">
            <Sparkles aria-hidden="true" size={20} />
            <span className="brand-text">Enrichment Jobs</span>
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/accounts" className="nav-link">
              <Building2 aria-hidden="true" size={16} />
              Accounts
            </NavLink>
            <NavLink to="/jobs" className="nav-link">
              <Briefcase aria-hidden="true" size={16} />
              Jobs
            </NavLink>
            {canSeeActivity(current.role) ? (
              <NavLink to="/workspace/activity" className="nav-link">
                <Activity aria-hidden="true" size={16} />
                Activity
              </NavLink>
            ) : null}
            <NavLink to="/workspace/settings/api" className="nav-link">
              <KeyRound aria-hidden="true" size={16} />
              Settings
            </NavLink>
          </nav>
          <div className="topbar-side">
            <WorkspaceSwitcher />
            <span className="user-email hide-sm" title={user?.email ?? undefined}>
              {user?.email}
            </span>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => void signOut()}>
              <LogOut aria-hidden="true" size={16} />
              <span>Sign out</span>
            </button>
          </div>
        </div>
      </header>
      <div id="main" tabIndex={-1} className="main">
        <Outlet />
      </div>
    </div>
  );
}
