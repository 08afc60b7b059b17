// POST /_stack/cron/run {"job": "<name>"}: runs a pg_cron job's command now, as pg_cron would run
// it (its owner, postgres), so a test need not wait for its schedule (the nightly fresh-data batch).
// The local stack only, with the secret key; hosted projects have no such route.
import { requireApikey } from "./apikey.ts";
import type { GatewayContext } from "./context.ts";
import { json } from "./http.ts";

export async function runCronJob(req: Request, ctx: GatewayContext): Promise<Response> {
  if (requireApikey(req, ctx).role !== "service_role") {
    return json({ message: "Running a cron job needs the secret key (SECRET_KEY in npm run stack:status)" }, 403);
  }
  if (req.method !== "POST") return json({ message: "Use POST" }, 405);
  const body = await req.json().catch(() => null) as { job?: unknown } | null;
  if (typeof body?.job !== "string") return json({ message: 'Send {"job": "<pg_cron job name>"}' }, 400);
  const [job] = await ctx.sql<{ command: string }[]>`select command from cron.job where jobname = ${body.job}`;
  if (!job) return json({ message: `No pg_cron job is named ${body.job}` }, 404);
  const result = await ctx.sql.unsafe(job.command);
  return json({ job: body.job, command: job.command, result: result.map((row) => ({ ...row })) });
}
