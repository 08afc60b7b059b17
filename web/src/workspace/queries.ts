import { queryOptions } from "@tanstack/react-query";
import type { WorkspaceRole } from "../lib/database.types";
import { unwrap } from "../lib/errors";
import { getSupabase } from "../lib/supabase";

export interface WorkspaceMembership {
  id: string;
  name: string;
  role: WorkspaceRole;
}

export const workspaceKeys = {
  all: ["workspaces"] as const,
  mine: (userId: string) => ["workspaces", "mine", userId] as const,
};

/** The workspaces the user belongs to, with their role (two queries: no resource embedding). */
export const myWorkspacesQuery = (userId: string) =>
  queryOptions({
    queryKey: workspaceKeys.mine(userId),
    queryFn: async (): Promise<WorkspaceMembership[]> => {
      const supabase = getSupabase();
      const memberships = unwrap(
        await supabase.from("workspace_members").select("workspace_id, role").eq("user_id", userId),
      );
      if (memberships.length === 0) return [];
      const workspaces = unwrap(
        await supabase.from("workspaces").select("id, name").in("id", memberships.map((m) => m.workspace_id)),
      );
      const names = new Map(workspaces.map((w) => [w.id, w.name]));
      return memberships
        .filter((m) => names.has(m.workspace_id))
        .map((m) => ({ id: m.workspace_id, name: names.get(m.workspace_id)!, role: m.role }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 5 * 60_000,
  });

const STORAGE_PREFIX = "enrichment-jobs:workspace:";

export function storedWorkspaceId(userId: string): string | null {
  try {
    return localStorage.getItem(STORAGE_PREFIX + userId);
  } catch {
    return null;
  }
}

export function storeWorkspaceId(userId: string, workspaceId: string) {
  try {
    localStorage.setItem(STORAGE_PREFIX + userId, workspaceId);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

/** The remembered workspace when the user still belongs to it, else the first one. */
export function pickWorkspace(workspaces: WorkspaceMembership[], remembered: string | null): WorkspaceMembership | null {
  return workspaces.find((w) => w.id === remembered) ?? workspaces[0] ?? null;
}
