// The workspace_settings rows this function reads and writes. The caller's membership is
// checked here first (this runs with the function's own database role), and the ciphertext
// never leaves this module except to be decrypted.
import type { Sql } from "../_shared/db.ts";
import { HttpError } from "../_shared/http.ts";

export interface SettingsView {
  workspace_id: string;
  has_apollo_key: boolean;
  apollo_api_key_last4: string | null;
  apollo_key_updated_at: string | null;
  apollo_auto_enrich: boolean;
  enrichment_credits_used: number;
  can_edit: boolean;
}

export type Role = "owner" | "admin" | "member";

/** The caller's role in the workspace; 404 when they are not a member (no hint that it exists). */
export async function memberRole(sql: Sql, workspaceId: string, userId: string): Promise<Role> {
  const [row] = await sql<{ role: Role }[]>`
    select role from public.workspace_members where workspace_id = ${workspaceId} and user_id = ${userId}`;
  if (!row) throw new HttpError(404, "Workspace not found, or you are not a member of it.");
  return row.role;
}

/** 403 unless the caller is an owner or admin; `action` says what they tried ("change the Apollo API key"). */
export function requireEditor(role: Role, action = "change the Apollo API key") {
  if (role !== "owner" && role !== "admin") {
    throw new HttpError(403, `Only workspace owners and admins can ${action}.`);
  }
}

export async function readSettings(sql: Sql, workspaceId: string, role: Role): Promise<SettingsView> {
  const [row] = await sql<Omit<SettingsView, "can_edit">[]>`
    select workspace_id, has_apollo_key, apollo_api_key_last4, apollo_key_updated_at, apollo_auto_enrich,
           enrichment_credits_used
    from public.workspace_settings where workspace_id = ${workspaceId}`;
  if (!row) throw new HttpError(404, "This workspace has no settings yet.");
  return { ...row, can_edit: role === "owner" || role === "admin" };
}

export async function storedCiphertext(sql: Sql, workspaceId: string): Promise<string | null> {
  const [row] = await sql<{ apollo_api_key_encrypted: string | null }[]>`
    select apollo_api_key_encrypted from public.workspace_settings where workspace_id = ${workspaceId}`;
  return row?.apollo_api_key_encrypted ?? null;
}

export async function saveKey(
  sql: Sql,
  workspaceId: string,
  ciphertext: string,
  last4: string,
  userId: string,
  pacingKey: string,
) {
  await sql`
    update public.workspace_settings
    set apollo_api_key_encrypted = ${ciphertext}, apollo_api_key_last4 = ${last4},
        apollo_key_updated_at = now(), apollo_key_updated_by = ${userId}, apollo_pacing_key = ${pacingKey}
    where workspace_id = ${workspaceId}`;
}

export async function removeKey(sql: Sql, workspaceId: string, userId: string) {
  await sql`
    update public.workspace_settings
    set apollo_api_key_encrypted = null, apollo_api_key_last4 = null, apollo_pacing_key = null,
        apollo_key_updated_at = now(), apollo_key_updated_by = ${userId}
    where workspace_id = ${workspaceId}`;
}
