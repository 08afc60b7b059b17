// Which Apollo team a key belongs to. Apollo counts rate limits per team: every key of a team (and of its child
// workspaces) spends the same windows. A key is in the team the admin API put it in, else the team its name
// ends with (`...-team-<name>`), else a team of its own.
import { fakeId } from "./data.ts";

const TEAM_SUFFIX = /-team-([A-Za-z0-9_.]+)$/;

/** Team names the admin API accepts (and the key suffix can name). */
export const TEAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The team of a key nobody grouped: a stable 24-hex id from the key (never the key itself). */
export function ownTeam(key: string): string {
  return key === "" ? "anonymous" : fakeId("team", key);
}

/** Apollo's team_id for a team (users/api_profile): a 24-hex id, as Apollo's ids look. */
export function teamId(team: string): string {
  return /^[0-9a-f]{24}$/.test(team) ? team : fakeId("team", `team:${team}`);
}

export class Teams {
  private assigned = new Map<string, string>();

  teamOf(key: string): string {
    return this.assigned.get(key) ?? TEAM_SUFFIX.exec(key)?.[1] ?? ownTeam(key);
  }

  /** Puts the keys in the team (taking them out of any other team they were put in). */
  assign(team: string, keys: readonly string[]): void {
    for (const key of keys) this.assigned.set(key, team);
  }

  /** The teams the admin API made, with their keys as the last 4 characters only. */
  list(): Array<{ team: string; keys_last4: string[] }> {
    const teams = new Map<string, string[]>();
    for (const [key, team] of this.assigned) teams.set(team, [...(teams.get(team) ?? []), key.slice(-4)]);
    return [...teams].map(([team, keys_last4]) => ({ team, keys_last4 }));
  }

  clear(): void {
    this.assigned.clear();
  }
}
