// jobs: queue a job over HTTP, for callers other than the SPA. The body is validated with zod, and
// the job is queued as the signed-in user through enqueue_job, so membership and RLS decide.
//   POST /jobs {workspace_id, job_type, payload} -> 201 job | 400 field errors | 403 not a member
import { z } from "zod";
import { requireUser } from "../_shared/signed-in-user.ts";
import { corsHeaders } from "../_shared/cors.ts";
import { asUser } from "../_shared/db.ts";
import { errorResponse, HttpError, json, readJsonBody } from "../_shared/http.ts";
import { JOB_TYPES, type JobType, payloadSchemas } from "../_shared/jobs/payloads.ts";
import { parseOr400 } from "../_shared/validation.ts";

const requestBody = z.object({
  workspace_id: z.uuid({ error: "must be a workspace id (uuid)" }),
  job_type: z.enum(JOB_TYPES, { error: `must be one of: ${JOB_TYPES.join(", ")}` }),
  payload: z.record(z.string(), z.unknown()),
  priority: z.number().int().min(-100).max(100).optional(),
});

/** The record a job works on must exist in that workspace (checked as the user, under RLS). */
const SUBJECT_TABLE: Record<JobType, { table: "accounts" | "contacts" | "imports"; key: string; noun: string }> = {
  enrich_account: { table: "accounts", key: "account_id", noun: "Account" },
  enrich_contact: { table: "contacts", key: "contact_id", noun: "Contact" },
  // an import started with start_import (which uploads and maps the file); queuing it again goes
  // on from its checkpoint and writes no row twice
  import_accounts: { table: "imports", key: "import_id", noun: "Import" },
  import_contacts: { table: "imports", key: "import_id", noun: "Import" },
};

export async function handler(req: Request): Promise<Response> {
  if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
  try {
    if (req.method !== "POST") throw new HttpError(405, `Method ${req.method} not allowed; use POST`);
    const user = await requireUser(req);
    const body = parseOr400(requestBody, await readJsonBody(req));
    const payload = parseOr400(payloadSchemas[body.job_type], body.payload, "payload");
    const subject = SUBJECT_TABLE[body.job_type];

    const job = await asUser(user.claims, async (tx) => {
      const [member] = await tx`
        select 1 from public.workspace_members where workspace_id = ${body.workspace_id} and user_id = ${user.id}`;
      if (!member) throw new HttpError(403, "You are not a member of this workspace.");
      const subjectId = (payload as Record<string, string>)[subject.key];
      const [found] = subject.table === "accounts"
        ? await tx`select 1 from public.accounts where id = ${subjectId} and workspace_id = ${body.workspace_id}`
        : subject.table === "contacts"
        ? await tx`select 1 from public.contacts where id = ${subjectId} and workspace_id = ${body.workspace_id}`
        : await tx`select 1 from public.imports where id = ${subjectId} and workspace_id = ${body.workspace_id}`;
      if (!found) {
        throw new HttpError(422, `${subject.noun} ${subjectId} does not exist in this workspace.`, {
          fieldErrors: { [`payload.${subject.key}`]: ["not found in this workspace"] },
        });
      }
      const [row] = await tx`
        select * from public.enqueue_job(${body.workspace_id}, ${body.job_type}, ${tx.json(payload as never)},
                                         ${body.priority ?? 0}::smallint)`;
      return row;
    });
    return json(job, 201);
  } catch (error) {
    return errorResponse(error, "jobs");
  }
}
