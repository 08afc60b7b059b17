// Supabase's database advisors (splinter's security and performance lints), level WARN and up,
// run by the pinned Supabase CLI against --db-url: `supabase db advisors --db-url ... --type all
// --level warn --fail-on warn`. Any finding fails (INFO ones, such as unused_index, are not shown).
import { type Check, fail, isLoopback, pass } from "../lib/context.ts";
import { repoRoot } from "../lib/repo.ts";

interface Advisory {
  name: string;
  level: string;
  detail: string;
  remediation?: string;
}

/** The URL the CLI connects with: a local database without TLS needs sslmode=disable. */
export function advisorsDbUrl(dbUrl: string): string {
  if (!isLoopback(dbUrl) || /[?&]sslmode=/.test(dbUrl)) return dbUrl;
  return `${dbUrl}${dbUrl.includes("?") ? "&" : "?"}sslmode=disable`;
}

export const advisorsCheck: Check = {
  id: "advisors",
  title: "advisors clean",
  async run(ctx) {
    const cli = `${repoRoot}/node_modules/.bin/supabase`;
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(cli, {
        args: [
          "db",
          "advisors",
          "--db-url",
          advisorsDbUrl(ctx.options.dbUrl),
          "--type",
          "all",
          "--level",
          "warn",
          "--fail-on",
          "warn",
          "--workdir",
          repoRoot,
        ],
        cwd: repoRoot,
        env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(180_000),
      }).output();
    } catch (error) {
      return fail(`could not run ${cli} (npm ci installs it): ${(error as Error).message}`);
    }
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    let advisories: Advisory[] = [];
    const start = stdout.search(/[\[{]/);
    if (start >= 0) {
      try {
        const parsed = JSON.parse(stdout.slice(start));
        advisories = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return fail(`unreadable output of supabase db advisors: ${stdout.trim().slice(0, 300)}`);
      }
    }
    if (advisories.length > 0) {
      const names = [...new Set(advisories.map((a) => a.name))];
      return fail(
        `${advisories.length} finding(s): ${names.join(", ")}`,
        advisories.map((a) => `${a.level} ${a.name}: ${a.detail}${a.remediation ? ` (see ${a.remediation})` : ""}`),
      );
    }
    if (!output.success) {
      const tail = stderr.trim().split("\n").filter((l) => l.trim()).slice(-3).join(" / ");
      return fail(`supabase db advisors failed (exit ${output.code}): ${tail}`);
    }
    return pass("supabase db advisors --type all --level warn: nothing found");
  },
};
