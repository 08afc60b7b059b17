// enrich_account: look the account's domain up in Apollo and write what it knows back.
// The seven log lines and the 10% -> 100% progress are what the spec (test 4, test 7) shows.
import { enrichAccountPayload } from "../../_shared/jobs/payloads.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import { describeIssues } from "../../_shared/validation.ts";
import { accountFieldsFrom } from "./organization-fields.ts";
import type { JobContext, Processor, ProcessorResult } from "./types.ts";
import { apolloClient, withPacing, workspaceApiKey } from "./workspace-apollo.ts";

export const enrichAccount: Processor = {
  jobType: "enrich_account",

  async process(ctx: JobContext): Promise<ProcessorResult> {
    const parsed = enrichAccountPayload.safeParse(ctx.job.payload);
    if (!parsed.success) {
      throw new JobError(`Invalid payload for enrich_account: ${describeIssues(parsed.error)}`, { retryable: false });
    }
    const { account_id } = parsed.data;

    await ctx.progress(10, `Starting enrichment for account ${account_id}`);
    if ((ctx.job.credits_used ?? 0) > 0) {
      // An earlier attempt wrote the enrichment and its worker died before completing the job:
      // do not pay Apollo for it again (apply_account_enrichment would not write it twice anyway).
      await ctx.log("An earlier attempt of this job already wrote the enrichment; Apollo is not called again");
      return {
        result: { account_id, matched: true, already_enriched: true, fields_updated: [], credits_used: 1 },
        message: "Account enrichment completed successfully",
      };
    }
    const [account] = await ctx.sql<{ id: string; name: string; domain: string | null }[]>`
      select id, name, domain from public.accounts where id = ${account_id} and workspace_id = ${ctx.job.workspace_id}`;
    if (!account) {
      // Retryable: the account may still be on its way (created in another transaction).
      throw new JobError(`Account not found: ${account_id}`, { retryable: true });
    }
    const domain = parsed.data.domain ?? account.domain;
    if (!domain) {
      throw new JobError(`Account "${account.name}" has no domain: add one, then enrich it again`, { retryable: false });
    }

    await ctx.progress(20, "Fetching workspace settings...");
    const apiKey = await workspaceApiKey(ctx.sql, ctx.job.workspace_id);

    await ctx.progress(30, "Initializing Apollo client...");
    const apollo = await withPacing(ctx.sql, ctx.job.workspace_id, apiKey, apolloClient(apiKey));

    await ctx.progress(40, `Enriching with domain ${domain}...`);
    const { organization } = await apollo.enrichOrganization({ domain }, { signal: ctx.signal });

    await ctx.progress(60, "Processing enrichment data...");
    if (!organization) {
      await ctx.log(`Apollo has no organization for ${domain}; the account was left unchanged`, "warn");
      return {
        result: { account_id, domain, matched: false, fields_updated: [], credits_used: 0 },
        message: "Account enrichment completed: no Apollo match",
      };
    }
    const fields = accountFieldsFrom(organization);

    await ctx.progress(80, "Updating account record...");
    const [{ applied }] = await ctx.sql<{ applied: boolean }[]>`
      select public.apply_account_enrichment(${ctx.job.id}, ${ctx.workerId}, ${ctx.sql.json(fields as never)},
                                             ${ctx.sql.json(organization as never)}) as applied`;
    if (!applied) return ctx.leaseLost();

    return {
      result: {
        account_id,
        domain,
        matched: true,
        apollo_organization_id: organization.id ?? null,
        fields_updated: Object.keys(fields),
        credits_used: 1,
      },
      message: "Account enrichment completed successfully",
    };
  },
};
