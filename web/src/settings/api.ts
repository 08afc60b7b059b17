// The apollo-settings Edge Function (user JWT) and the settings a browser writes directly
// (apollo_auto_enrich, apollo_overwrite_groups; under RLS). Function errors come back as UserFacingError with the
// function's own words ({error}).
import { queryOptions } from "@tanstack/react-query";
import {
  WORKSPACE_SETTINGS_COLUMNS,
  type ApolloSettingsView,
  type ConnectionCheck,
  type WorkspaceSettingsRow,
  type WorkspaceSettingsUpdate,
} from "../lib/database.types";
import { functionError, UserFacingError, unwrap, unwrapMaybe } from "../lib/errors";
import { getSupabase } from "../lib/supabase";

export const settingsKeys = {
  all: ["settings"] as const,
  apollo: (workspaceId: string) => ["settings", "apollo", workspaceId] as const,
  row: (workspaceId: string) => ["settings", "row", workspaceId] as const,
};

/** The settings row as members may read it (REST, RLS; the ciphertext column is not selectable). */
export const workspaceSettingsQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: settingsKeys.row(workspaceId),
    queryFn: async (): Promise<WorkspaceSettingsRow | null> =>
      unwrapMaybe(
        await getSupabase().from("workspace_settings").select(WORKSPACE_SETTINGS_COLUMNS).eq("workspace_id", workspaceId).maybeSingle(),
      ),
  });

async function invoke<T>(name: string, options: { method: "GET" | "POST" | "DELETE"; body?: unknown }): Promise<T> {
  const { data, error } = await getSupabase().functions.invoke<T>(name, {
    method: options.method,
    ...(options.body === undefined ? {} : { body: options.body as Record<string, unknown> }),
  });
  if (error) throw await functionError(error);
  if (data === null || data === undefined || typeof data !== "object") {
    throw new UserFacingError("The server sent an answer we could not read.", "Please try again.");
  }
  return data;
}

export const apolloSettingsQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: settingsKeys.apollo(workspaceId),
    queryFn: () =>
      invoke<ApolloSettingsView>(`apollo-settings?workspace_id=${encodeURIComponent(workspaceId)}`, { method: "GET" }),
  });

export function saveApolloKey(workspaceId: string, apiKey: string) {
  return invoke<{ message: string; settings: ApolloSettingsView }>("apollo-settings", {
    method: "POST",
    body: { workspace_id: workspaceId, api_key: apiKey },
  });
}

export function testApolloConnection(workspaceId: string) {
  return invoke<ConnectionCheck>("apollo-settings/test", { method: "POST", body: { workspace_id: workspaceId } });
}

export function removeApolloKey(workspaceId: string) {
  return invoke<{ message: string; settings: ApolloSettingsView }>(
    `apollo-settings?workspace_id=${encodeURIComponent(workspaceId)}`,
    { method: "DELETE" },
  );
}

/**
 * Owners and admins may update the settings a browser writes (apollo_auto_enrich,
 * apollo_overwrite_groups); for others RLS matches no row, which is said in words.
 */
export async function updateWorkspaceSettings(workspaceId: string, patch: WorkspaceSettingsUpdate): Promise<WorkspaceSettingsRow> {
  const rows = unwrap(
    await getSupabase().from("workspace_settings").update(patch).eq("workspace_id", workspaceId).select(WORKSPACE_SETTINGS_COLUMNS),
  );
  if (!rows || rows.length === 0) {
    throw new UserFacingError("Only owners and admins can change this setting.", "Ask an owner or admin of this workspace.");
  }
  return rows[0];
}

export async function setAutoEnrich(workspaceId: string, enabled: boolean): Promise<boolean> {
  return (await updateWorkspaceSettings(workspaceId, { apollo_auto_enrich: enabled })).apollo_auto_enrich;
}

/** Client-side check before sending a key (the function checks the same and more). */
export function validateApiKey(raw: string): string | undefined {
  const key = raw.trim();
  if (!key) return "Paste your Apollo API key.";
  if (/\s/.test(key)) return "The key must not contain spaces.";
  if (key.length < 8) return "That looks too short for an Apollo API key.";
  if (key.length > 200) return "That looks too long for an Apollo API key.";
  return undefined;
}
