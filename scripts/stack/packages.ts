// Debian packages the local stack needs, checked by a file each package installs.
import { exists, isRoot, run, StackError } from "./shell.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_LIB = "/usr/lib/postgresql/15/lib";
const PG_EXT = "/usr/share/postgresql/15/extension";
export const PGBOUNCER = "/usr/sbin/pgbouncer";

const REQUIRED: Array<{ pkg: string; file: string }> = [
  { pkg: "postgresql-15", file: `${PG_BIN}/postgres` },
  { pkg: "postgresql-15-cron", file: `${PG_EXT}/pg_cron.control` },
  { pkg: "postgresql-15-pgtap", file: `${PG_EXT}/pgtap.control` },
  { pkg: "postgresql-15-wal2json", file: `${PG_LIB}/wal2json.so` },
  { pkg: "postgresql-15-plpgsql-check", file: `${PG_EXT}/plpgsql_check.control` },
  { pkg: "libtap-parser-sourcehandler-pgtap-perl", file: "/usr/bin/pg_prove" },
  // the stand-in for Supavisor's transaction pooler (scripts/stack/pooler.ts)
  { pkg: "pgbouncer", file: PGBOUNCER },
];

export const pgBin = (name: string) => `${PG_BIN}/${name}`;

export function missingPackages(extra: Array<{ pkg: string; file: string }> = []): string[] {
  return [...REQUIRED, ...extra].filter(({ file }) => !exists(file)).map(({ pkg }) => pkg);
}

/** Installs what is missing when running as root with apt-get; otherwise says which command to run. */
export async function ensurePackages(extra: Array<{ pkg: string; file: string }> = []): Promise<void> {
  const missing = missingPackages(extra);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  if (!isRoot() || !exists("/usr/bin/apt-get")) {
    throw new StackError(`missing Debian packages: ${missing.join(", ")}`, `run as root: ${command}`);
  }
  console.log(`[stack] installing ${missing.join(", ")} with apt-get ...`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  let result = await run("apt-get", ["install", "-y", "-q", ...missing], { env });
  if (result.code !== 0) {
    await run("apt-get", ["update", "-q"], { env });
    result = await run("apt-get", ["install", "-y", "-q", ...missing], { env });
  }
  if (result.code !== 0) {
    throw new StackError(`apt-get could not install ${missing.join(", ")}:\n${result.stderr.trim()}`, `run: ${command}`);
  }
}
