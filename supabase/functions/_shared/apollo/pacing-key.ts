// Whose Apollo budget a key spends: Apollo limits each team (all its keys) per endpoint, so
// workspaces whose keys belong to one team share one set of windows in the pacer. The team is
// known when Apollo told us (users/api_profile's team_id, read when the key is saved); otherwise a
// fingerprint of the key stands in (workspaces that saved the same key still share).

/** team:<id> for a usable Apollo team id; null otherwise. */
export function teamPacingKey(teamId: string | null | undefined): string | null {
  return teamId && /^[A-Za-z0-9_-]{1,128}$/.test(teamId) ? `team:${teamId}` : null;
}

/** key:<first 32 hex digits of SHA-256 of the key>: not reversible, stable for the key. */
export async function keyPacingKey(apiKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(apiKey));
  return `key:${Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
