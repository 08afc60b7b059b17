// enrich_contact: match the contact in Apollo (by email, LinkedIn or name + company) and
// write what it knows back.
import { enrichContactPayload } from "../../_shared/jobs/payloads.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import type { PersonMatchRequest } from "../../_shared/apollo/types.ts";
import { describeIssues } from "../../_shared/validation.ts";
import { contactFieldsFrom } from "./person-fields.ts";
import type { JobContext, Processor, ProcessorResult } from "./types.ts";
import { apolloClient, withPacing, workspaceApiKey } from "./workspace-apollo.ts";

interface ContactRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  linkedin_url: string | null;
  account_name: string | null;
  account_domain: string | null;
}

function matchRequest(contact: ContactRow): PersonMatchRequest {
  const request: PersonMatchRequest = {};
  if (contact.email) request.email = contact.email;
  if (contact.linkedin_url) request.linkedin_url = contact.linkedin_url;
  if (contact.first_name) request.first_name = contact.first_name;
  if (contact.last_name) request.last_name = contact.last_name;
  if (contact.account_domain) request.domain = contact.account_domain;
  if (contact.account_name) request.organization_name = contact.account_name;
  return request;
}

export const enrichContact: Processor = {
  jobType: "enrich_contact",

  async process(ctx: JobContext): Promise<ProcessorResult> {
    const parsed = enrichContactPayload.safeParse(ctx.job.payload);
    if (!parsed.success) {
      throw new JobError(`Invalid payload for enrich_contact: ${describeIssues(parsed.error)}`, { retryable: false });
    }
    const { contact_id } = parsed.data;

    await ctx.progress(10, `Starting enrichment for contact ${contact_id}`);
    if ((ctx.job.credits_used ?? 0) > 0) {
      // An earlier attempt wrote the enrichment and its worker died before completing the job.
      await ctx.log("An earlier attempt of this job already wrote the enrichment; Apollo is not called again");
      return {
        result: { contact_id, matched: true, already_enriched: true, fields_updated: [], credits_used: 1 },
        message: "Contact enrichment completed successfully",
      };
    }
    const [contact] = await ctx.sql<ContactRow[]>`
      select c.id, c.first_name, c.last_name, c.email, c.linkedin_url, a.name as account_name, a.domain as account_domain
      from public.contacts c left join public.accounts a on a.id = c.account_id
      where c.id = ${contact_id} and c.workspace_id = ${ctx.job.workspace_id}`;
    if (!contact) throw new JobError(`Contact not found: ${contact_id}`, { retryable: true });
    const request = matchRequest(contact);
    const who = contact.email ?? contact.linkedin_url ?? [contact.first_name, contact.last_name].filter(Boolean).join(" ");
    if (!request.email && !request.linkedin_url && !(request.last_name && (request.domain || request.organization_name))) {
      throw new JobError(
        "Not enough to identify this contact: add an email or a LinkedIn URL, or a full name and an account with a domain",
        { retryable: false },
      );
    }

    await ctx.progress(20, "Fetching workspace settings...");
    const apiKey = await workspaceApiKey(ctx.sql, ctx.job.workspace_id);

    await ctx.progress(30, "Initializing Apollo client...");
    const apollo = await withPacing(ctx.sql, ctx.job.workspace_id, apiKey, apolloClient(apiKey));

    await ctx.progress(40, `Matching person ${who}...`);
    const { person } = await apollo.enrichPerson(request, { signal: ctx.signal });

    await ctx.progress(60, "Processing enrichment data...");
    if (!person) {
      await ctx.log(`Apollo has no match for ${who}; the contact was left unchanged`, "warn");
      return {
        result: { contact_id, matched: false, fields_updated: [], credits_used: 0 },
        message: "Contact enrichment completed: no Apollo match",
      };
    }
    const fields = contactFieldsFrom(person);

    await ctx.progress(80, "Updating contact record...");
    const [{ applied }] = await ctx.sql<{ applied: boolean }[]>`
      select public.apply_contact_enrichment(${ctx.job.id}, ${ctx.workerId}, ${ctx.sql.json(fields as never)},
                                             ${ctx.sql.json(person as never)}) as applied`;
    if (!applied) return ctx.leaseLost();

    return {
      result: { contact_id, matched: true, apollo_person_id: person.id ?? null, fields_updated: Object.keys(fields), credits_used: 1 },
      message: "Contact enrichment completed successfully",
    };
  },
};
