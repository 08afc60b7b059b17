// A postgres.js pool for one of the stack's own processes (gateway, Realtime, the pg_net
// dispatcher) or a script driving the stack: named in pg_stat_activity, so a connection says whose
// it is, and quiet about NOTICEs, which are for psql users.
import postgres from "postgres";

export interface PoolSize {
  max: number;
  idle_timeout?: number;
  connect_timeout?: number;
}

export function namedPool(url: string, applicationName: string, size: PoolSize): postgres.Sql {
  return postgres(url, { ...size, onnotice: () => {}, connection: { application_name: applicationName } });
}
