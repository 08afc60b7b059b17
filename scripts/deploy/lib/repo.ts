// What this clone of the repository expects the deployment to have: its migrations, and the
// pg_cron jobs those migrations schedule. Read from supabase/migrations, so the checks follow the
// code without a second list to keep in step.

export const repoRoot = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
export const MIGRATIONS_DIR = `${repoRoot}/supabase/migrations`;

export interface Migration {
  version: string;
  name: string;
  file: string;
}

/** supabase/migrations/<version>_<name>.sql, oldest first (as `supabase db push` applies them). */
export function migrations(dir = MIGRATIONS_DIR): Migration[] {
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && /^\d+_.+\.sql$/.test(e.name))
    .map((e) => {
      const [, version, name] = e.name.match(/^(\d+)_(.+)\.sql$/)!;
      return { version, name, file: `${dir}/${e.name}` };
    })
    .sort((a, b) => a.version.localeCompare(b.version));
}

export interface CronJob {
  name: string;
  schedule: string;
  command: string;
  /** The migration that scheduled it last. */
  migration: string;
}

const SCHEDULE = /cron\.schedule\(\s*'([^']+)'\s*,\s*'([^']+)'\s*,\s*(?:\$\$([\s\S]*?)\$\$|'((?:[^']|'')*)')\s*\)/g;
const UNSCHEDULE = /cron\.unschedule\(\s*'([^']+)'\s*\)/g;

/** The named cron jobs the migrations leave scheduled: cron.schedule(name, ...) and cron.unschedule(name), in order. */
export function expectedCronJobs(list: Migration[] = migrations()): CronJob[] {
  const jobs = new Map<string, CronJob>();
  for (const m of list) {
    const text = Deno.readTextFileSync(m.file).replace(/^\s*--.*$/gm, "");
    const events: Array<{ at: number; apply: () => void }> = [];
    for (const match of text.matchAll(SCHEDULE)) {
      const [, name, schedule, dollar, quoted] = match;
      const command = dollar ?? quoted.replace(/''/g, "'");
      events.push({
        at: match.index!,
        apply: () => jobs.set(name, { name, schedule, command: command.trim(), migration: m.name }),
      });
    }
    for (const match of text.matchAll(UNSCHEDULE)) {
      events.push({ at: match.index!, apply: () => jobs.delete(match[1]) });
    }
    events.sort((a, b) => a.at - b.at).forEach((e) => e.apply());
  }
  return [...jobs.values()];
}

/** Whitespace-insensitive comparison of two SQL commands. */
export function sameCommand(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").replace(/;\s*$/, "").trim();
  return norm(a) === norm(b);
}

/** How often a schedule runs, when it is simple enough to say: every minute, or once a day. */
export function scheduleInterval(schedule: string): "minute" | "day" | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  if (fields.every((f) => f === "*")) return "minute";
  if (/^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1]) && fields.slice(2).every((f) => f === "*")) return "day";
  return undefined;
}

/** The tables migration 20261129001500_realtime.sql adds to the supabase_realtime publication. */
export const REALTIME_TABLES = ["jobs", "job_logs", "accounts"];
