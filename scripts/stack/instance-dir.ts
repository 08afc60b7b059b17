// Where a stack instance keeps its files. Normally .stack/<instance> in the clone; but Postgres
// (and PgBouncer) run as the postgres OS user when we are root, and that user cannot reach a clone
// under a folder closed to others (/root/..., any `mktemp -d`). Then the instance's files live in
// a folder it can reach, /var/lib/enrichment-jobs-stack/<clone path>/<instance>, and
// .stack/<instance> is a link to it, so everything else finds them where it always does.
import { isRoot } from "./shell.ts";

const RELOCATED_ROOT = "/var/lib/enrichment-jobs-stack";

function lstat(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch {
    return null;
  }
}

/** Whether the postgres OS user can reach (traverse) the folder. */
function postgresCanReach(folder: string): boolean {
  const probe = new Deno.Command("runuser", { args: ["-u", "postgres", "--", "test", "-x", folder], stdout: "null", stderr: "null" });
  try {
    return probe.outputSync().success;
  } catch {
    return true; // no runuser: not the machine this is about
  }
}

/** The instance's folder: the link's target once relocated, else .stack/<instance> (relocated first when it must be). */
export function instanceDir(repoRoot: string, instance: string): string {
  const link = `${repoRoot}/.stack/${instance}`;
  const info = lstat(link);
  if (info?.isSymlink) return Deno.readLinkSync(link);
  if (info || !isRoot() || postgresCanReach(repoRoot)) return link;
  const target = `${RELOCATED_ROOT}/${repoRoot.replace(/^\//, "").replaceAll("/", "_")}/${instance}`;
  Deno.mkdirSync(target, { recursive: true, mode: 0o755 });
  Deno.chmodSync(RELOCATED_ROOT, 0o755);
  Deno.mkdirSync(`${repoRoot}/.stack`, { recursive: true });
  Deno.symlinkSync(target, link);
  console.error(
    `[stack] the postgres OS user cannot reach ${repoRoot}, so the "${instance}" stack keeps its data in ${target} ` +
      `(linked from .stack/${instance}; npm run stack:reset empties it)`,
  );
  return target;
}
