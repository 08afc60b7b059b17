// enrich_account: look the account's domain up in Apollo and write what it knows back
// (organizations/enrich, or organizations/bulk_enrich for several accounts of one workspace,
// matched by domain). The shared steps are in enrichment.ts.
import { normalizeDomain } from "../../_shared/domain.ts";
import type { ApolloOrganization } from "../../_shared/apollo/types.ts";
import { enrichAccountPayload } from "../../_shared/jobs/payloads.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import { enrichmentProcessor } from "./enrichment.ts";
import { accountFieldsFrom } from "./organization-fields.ts";

export const enrichAccount = enrichmentProcessor<{ domain: string }, ApolloOrganization>({
  jobType: "enrich_account",
  noun: "account",
  payload: enrichAccountPayload,

  async load(ctx, id, payload) {
    const [account] = await ctx.sql<{ id: string; name: string; domain: string | null }[]>`
      select id, name, domain from public.accounts where id = ${id} and workspace_id = ${ctx.job.workspace_id}`;
    // Retryable: the account may still be on its way (created in another transaction).
    if (!account) throw new JobError(`Account not found: ${id}`, { retryable: true });
    const domain = (payload.domain as string | undefined) ?? account.domain;
    if (!domain) throw new JobError(`Account "${account.name}" has no domain: add one, then enrich it again`, { retryable: false });
    return { domain };
  },
  resultFields: (target) => ({ domain: target.domain }),
  singleCallLine: (target) => `Enriching with domain ${target.domain}...`,
  bulkCallLine: (n) => `Enriching ${n} domains with one Apollo bulk call (organizations/bulk_enrich)...`,
  callOne: async (apollo, target, signal) => (await apollo.enrichOrganization({ domain: target.domain }, { signal })).organization,
  async callBulk(apollo, targets) {
    const { byDomain } = await apollo.bulkEnrichOrganizations(targets.map((t) => t.domain));
    const found = new Map<number, ApolloOrganization>();
    targets.forEach((t, i) => {
      const organization = byDomain.get(normalizeDomain(t.domain));
      if (organization) found.set(i, organization);
    });
    return found;
  },
  bulkable: () => true,
  fieldsFrom: accountFieldsFrom,
  applyFunction: "apply_account_enrichment",
  foundId: (organization) => organization.id ?? null,
  noMatchLine: (target) => `Apollo has no organization for ${target.domain}; the account was left unchanged`,
});
