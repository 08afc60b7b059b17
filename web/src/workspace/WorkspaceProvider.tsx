import { useQuery } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useAuth } from "../auth/AuthProvider";
import { LoadError } from "../components/Alert";
import { AppSkeleton, EmptyState } from "../components/States";
import { myWorkspacesQuery, pickWorkspace, storedWorkspaceId, storeWorkspaceId, type WorkspaceMembership } from "./queries";

interface WorkspaceState {
  workspaces: WorkspaceMembership[];
  current: WorkspaceMembership;
  setCurrent: (workspaceId: string) => void;
}

const WorkspaceContext = createContext<WorkspaceState | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user!.id;
  const query = useQuery(myWorkspacesQuery(userId));
  const [chosen, setChosen] = useState<string | null>(() => storedWorkspaceId(userId));

  const setCurrent = useCallback(
    (workspaceId: string) => {
      storeWorkspaceId(userId, workspaceId);
      setChosen(workspaceId);
    },
    [userId],
  );

  const workspaces = query.data;
  const current = workspaces ? pickWorkspace(workspaces, chosen) : null;
  const value = useMemo(
    () => (workspaces && current ? { workspaces, current, setCurrent } : null),
    [workspaces, current, setCurrent],
  );

  if (query.isPending) return <AppSkeleton label="Loading your workspaces…" />;
  if (query.isError) {
    return (
      <main className="page">
        <LoadError error={query.error} title="Your workspaces could not be loaded" retry={query.refetch} />
      </main>
    );
  }
  if (!value) {
    return (
      <main className="page">
        <EmptyState title="You are not in any workspace yet">
          Ask a workspace owner to add you, or sign up again to get a workspace of your own.
        </EmptyState>
      </main>
    );
  }
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error("useWorkspace must be used inside <WorkspaceProvider>");
  return value;
}

/** For pages that open a record by id: the record's workspace becomes the current one. */
export function useFollowWorkspace(workspaceId: string | null | undefined) {
  const { current, workspaces, setCurrent } = useWorkspace();
  const follow = Boolean(workspaceId && workspaceId !== current.id && workspaces.some((w) => w.id === workspaceId));
  useEffect(() => {
    if (follow && workspaceId) setCurrent(workspaceId);
  }, [follow, workspaceId, setCurrent]);
}
