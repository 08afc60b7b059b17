// enrich_contact: match the contact in Apollo (by email, LinkedIn or name + company) and write
// what it knows back (people/match, or people/bulk_match for several contacts of one workspace
// that have an email or a LinkedIn URL to match the answers by). The shared steps are in enrichment.ts.
import type { ApolloPerson, PersonMatchRequest } from "../../_shared/apollo/types.ts";
import { enrichContactPayload } from "../../_shared/jobs/payloads.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import { enrichmentProcessor } from "./enrichment.ts";
import { contactFieldsFrom } from "./person-fields.ts";

interface ContactRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  linkedin_url: string | null;
  account_name: string | null;
  account_domain: string | null;
}

interface Target {
  request: PersonMatchRequest;
  who: string;
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

export const enrichContact = enrichmentProcessor<Target, ApolloPerson>({
  jobType: "enrich_contact",
  noun: "contact",
  payload: enrichContactPayload,

  async load(ctx, id) {
    const [contact] = await ctx.sql<ContactRow[]>`
      select c.id, c.first_name, c.last_name, c.email, c.linkedin_url, a.name as account_name, a.domain as account_domain
      from public.contacts c left join public.accounts a on a.id = c.account_id
      where c.id = ${id} and c.workspace_id = ${ctx.job.workspace_id}`;
    if (!contact) throw new JobError(`Contact not found: ${id}`, { retryable: true });
    const request = matchRequest(contact);
    if (!request.email && !request.linkedin_url && !(request.last_name && (request.domain || request.organization_name))) {
      throw new JobError(
        "Not enough to identify this contact: add an email or a LinkedIn URL, or a full name and an account with a domain",
        { retryable: false },
      );
    }
    const who = contact.email ?? contact.linkedin_url ?? [contact.first_name, contact.last_name].filter(Boolean).join(" ");
    return { request, who };
  },
  resultFields: () => ({}),
  singleCallLine: (target) => `Matching person ${target.who}...`,
  bulkCallLine: (n) => `Matching ${n} people with one Apollo bulk call (people/bulk_match)...`,
  callOne: async (apollo, target, signal) => (await apollo.enrichPerson(target.request, { signal })).person,
  callBulk: async (apollo, targets) => (await apollo.bulkMatchPeople(targets.map((t) => t.request))).byRequest,
  // a bulk answer is tied back by email or LinkedIn URL; a contact with neither is matched alone
  bulkable: (target) => Boolean(target.request.email || target.request.linkedin_url),
  fieldsFrom: contactFieldsFrom,
  applyFunction: "apply_contact_enrichment",
  foundId: (person) => person.id ?? null,
  noMatchLine: (target) => `Apollo has no match for ${target.who}; the contact was left unchanged`,
});
