// The settings PostgREST applies to a request besides its role. A role's own settings
// (`alter role anon set statement_timeout = '3s'`) take effect when a session logs in as that role,
// never on SET ROLE; PostgREST logs in as authenticator and switches role per request, so it reads
// the settings of the roles it may switch to and set_config()s them in each request's transaction
// (src/PostgREST/Config/Database.hs queryRoleSettings, Query/PreQuery.hs). It does the same with a
// called function's statement_timeout (db-hoisted-tx-settings), which inside the function would come
// too late to govern the statement already running.
//
// This gateway logs in as postgres, so it starts from what authenticator's login would give (its
// statement_timeout and lock_timeout of 8 s), then the switched-to role's settings override those.
import type { Sql } from "../context.ts";

/** [name, value] pairs, applied in order with set_config(name, value, true). */
export type Settings = Array<[string, string]>;

/** The role PostgREST logs in as on Supabase. */
const AUTHENTICATOR = "authenticator";

/** PostgREST's default db-hoisted-tx-settings, less default_transaction_isolation (not modelled here). */
export const HOISTED_FUNCTION_SETTINGS = new Set(["statement_timeout", "plan_filter.statement_cost_limit"]);

// Database-independent settings (pg_roles.rolconfig) of authenticator and of the roles it is a
// member of; only those it may set itself (user context, or SET granted on the parameter).
const ROLE_SETTINGS_SQL = `
  select r.rolname as role, kv.name, kv.value
  from pg_catalog.pg_roles r
  cross join lateral (
    select pg_catalog.substr(c, 1, pg_catalog.strpos(c, '=') - 1) as name,
           pg_catalog.substr(c, pg_catalog.strpos(c, '=') + 1) as value
    from pg_catalog.unnest(r.rolconfig) as c
  ) kv
  join pg_catalog.pg_settings ps on ps.name = kv.name
  where (r.rolname = $1 or r.oid in (select m.roleid from pg_catalog.pg_auth_members m where m.member = $1::regrole))
    and kv.name <> 'default_transaction_isolation'
    and (ps.context = 'user' or pg_catalog.has_parameter_privilege($1::regrole, ps.name, 'SET'))
  order by r.rolname, kv.name`;

export class RoleSettings {
  constructor(private readonly login: Settings, private readonly byRole: Map<string, Settings>) {}

  /** What a request switched to `role` runs with: the login's settings, overridden by the role's. */
  for(role: string): Settings {
    const merged = new Map(this.login);
    for (const [name, value] of this.byRole.get(role) ?? []) merged.set(name, value);
    return [...merged];
  }
}

export async function loadRoleSettings(sql: Sql): Promise<RoleSettings> {
  const rows = await sql.unsafe<Array<{ role: string; name: string; value: string }>>(ROLE_SETTINGS_SQL, [
    AUTHENTICATOR,
  ]);
  const login: Settings = [];
  const byRole = new Map<string, Settings>();
  for (const row of rows) {
    if (row.role === AUTHENTICATOR) login.push([row.name, row.value]);
    else byRole.set(row.role, [...(byRole.get(row.role) ?? []), [row.name, row.value]]);
  }
  return new RoleSettings(login, byRole);
}

/** A function's own settings (pg_proc.proconfig, "name=value") that PostgREST applies before calling it. */
export function hoistedSettings(proconfig: string[] | null): Settings {
  const settings: Settings = [];
  for (const entry of proconfig ?? []) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    if (at > 0 && HOISTED_FUNCTION_SETTINGS.has(name)) settings.push([name, entry.slice(at + 1)]);
  }
  return settings;
}
