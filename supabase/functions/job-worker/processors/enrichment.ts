// The skeleton every enrichment job type shares. One job on its own: progress 10% -> 100% with the
// seven log lines the job page shows (the testing guide's tests 4 and 7 check them). Several due
// jobs of one workspace: one Apollo bulk call for up to 10 records, answers matched by identity,
// never by position; each job keeps its own progress, log lines (saying it was part of a bulk call)
// and outcome, and a record Apollo did not match completes "no Apollo match". Credits are charged
// by apply_*_enrichment, once per job however often it runs, and reserved first within the
// workspace's monthly credit budget (credit-budget.ts).
import { ApolloError } from "../../_shared/apollo/errors.ts";
import type { ApolloClient } from "../../_shared/apollo/types.ts";
import { JobError } from "../../_shared/jobs/errors.ts";
import { describeIssues } from "../../_shared/validation.ts";
import type { z } from "zod";
import { reserveCredit } from "./credit-budget.ts";
import { settleEach } from "./settle.ts";
import type { BatchOutcome, JobContext, Processor, ProcessorResult } from "./types.ts";
import { apolloClient, withPacing, workspaceApiKey } from "./workspace-apollo.ts";

/** What one enrichment job type says about itself; the rest is shared. */
export interface EnrichmentSpec<Target, Found> {
  jobType: string;
  /** "account", "contact": in log lines and results. */
  noun: string;
  /** The payload's schema; it names the record (`${noun}_id`). */
  payload: z.ZodType<Record<string, unknown>>;
  /** The record and what Apollo is asked about it; JobError when it cannot be enriched. */
  load(ctx: JobContext, id: string, payload: Record<string, unknown>): Promise<Target>;
  /** What the job's result says about the record besides its id (e.g. the domain). */
  resultFields(target: Target): Record<string, unknown>;
  /** The progress line before the single call ("Enriching with domain stripe.com..."). */
  singleCallLine(target: Target): string;
  /** The bulk call's progress line for n records. */
  bulkCallLine(n: number): string;
  callOne(apollo: ApolloClient, target: Target, signal: AbortSignal): Promise<Found | null>;
  /** One bulk call for up to 10 targets: what Apollo found, by each target's index. */
  callBulk(apollo: ApolloClient, targets: Target[]): Promise<Map<number, Found>>;
  /** Whether a target can be matched by identity in a bulk answer (else it is enriched alone). */
  bulkable(target: Target): boolean;
  /** Our columns with the values Apollo found for them (_shared/apollo/field-map.ts). */
  fieldsFrom(found: Found): object;
  /** The function that writes them (fenced by the job's lease) with Apollo's answer. */
  applyFunction: "apply_account_enrichment" | "apply_contact_enrichment";
  /** Apollo's id of what it found, for the result. */
  foundId(found: Found): string | null;
  noMatchLine(target: Target): string;
}

interface Prepared<Target> {
  ctx: JobContext;
  id: string;
  target: Target;
}

export function enrichmentProcessor<Target, Found>(spec: EnrichmentSpec<Target, Found>): Processor {
  const Noun = spec.noun[0].toUpperCase() + spec.noun.slice(1);
  const idField = `${spec.noun}_id`;
  const done = `${Noun} enrichment completed successfully`;

  /** The job's record and target, or its result when an earlier attempt already wrote it. */
  async function prepare(ctx: JobContext, startLine: (id: string) => string): Promise<Prepared<Target> | ProcessorResult> {
    const parsed = spec.payload.safeParse(ctx.job.payload);
    if (!parsed.success) {
      throw new JobError(`Invalid payload for ${spec.jobType}: ${describeIssues(parsed.error)}`, { retryable: false });
    }
    const id = String(parsed.data[idField]);
    await ctx.progress(10, startLine(id));
    if ((ctx.job.credits_used ?? 0) > 0) {
      // An earlier attempt wrote the enrichment and its worker died before completing the job:
      // Apollo is not paid again (apply_*_enrichment would not write it twice anyway).
      await ctx.log("An earlier attempt of this job already wrote the enrichment; Apollo is not called again");
      return { result: { [idField]: id, matched: true, already_enriched: true, fields_updated: [], credits_used: 1 }, message: done };
    }
    await reserveCredit(ctx);
    return { ctx, id, target: await spec.load(ctx, id, parsed.data) };
  }

  async function finish({ ctx, id, target }: Prepared<Target>, found: Found | null): Promise<ProcessorResult> {
    await ctx.progress(60, "Processing enrichment data...");
    if (found === null) {
      await ctx.log(spec.noMatchLine(target), "warn");
      return {
        result: { [idField]: id, ...spec.resultFields(target), matched: false, fields_updated: [], credits_used: 0 },
        message: `${Noun} enrichment completed: no Apollo match`,
      };
    }
    await ctx.progress(80, `Updating ${spec.noun} record...`);
    const fields = spec.fieldsFrom(found);
    const [{ applied }] = await ctx.sql<{ applied: boolean }[]>`
      select public.${ctx.sql(spec.applyFunction)}(${ctx.job.id}, ${ctx.workerId}, ${ctx.sql.json(fields as never)},
                                                   ${ctx.sql.json(found as never)}) as applied`;
    if (!applied) return ctx.leaseLost();
    return {
      result: {
        [idField]: id,
        ...spec.resultFields(target),
        matched: true,
        [`apollo_${spec.noun === "account" ? "organization" : "person"}_id`]: spec.foundId(found),
        fields_updated: Object.keys(fields),
        credits_used: 1,
      },
      message: done,
    };
  }

  async function alone(job: Prepared<Target>, apollo: ApolloClient): Promise<ProcessorResult> {
    await job.ctx.progress(40, spec.singleCallLine(job.target));
    return await finish(job, await spec.callOne(apollo, job.target, job.ctx.signal));
  }

  /** One bulk call; each job finishes with what Apollo found for it, or with the call's error. */
  async function bulkCall(jobs: Prepared<Target>[], apollo: ApolloClient): Promise<BatchOutcome[]> {
    let found: Map<number, Found>;
    try {
      found = await spec.callBulk(apollo, jobs.map((job) => job.target));
    } catch (error) {
      if (error instanceof ApolloError && error.kind === "forbidden") {
        // The key's plan has no bulk endpoint: each record is enriched on its own instead.
        return await settleEach(jobs, async (job) => {
          await job.ctx.log(`Apollo's bulk endpoint is not available for this key; enriching this ${spec.noun} on its own`);
          return await alone(job, apollo);
        });
      }
      return jobs.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    return await settleEach(jobs.map((job, i) => ({ job, i })), ({ job, i }) => finish(job, found.get(i) ?? null));
  }

  async function clientFor(ctx: JobContext): Promise<ApolloClient> {
    const apiKey = await workspaceApiKey(ctx.sql, ctx.job.workspace_id);
    return await withPacing(ctx.sql, ctx.job.workspace_id, apiKey, apolloClient(apiKey));
  }

  return {
    jobType: spec.jobType,

    async process(ctx: JobContext): Promise<ProcessorResult> {
      const prepared = await prepare(ctx, (id) => `Starting enrichment for ${spec.noun} ${id}`);
      if (!("ctx" in prepared)) return prepared;
      await ctx.progress(20, "Fetching workspace settings...");
      const apiKey = await workspaceApiKey(ctx.sql, ctx.job.workspace_id);
      await ctx.progress(30, "Initializing Apollo client...");
      const apollo = await withPacing(ctx.sql, ctx.job.workspace_id, apiKey, apolloClient(apiKey));
      return await alone(prepared, apollo);
    },

    async processBatch(ctxs: JobContext[]): Promise<BatchOutcome[]> {
      const outcomes: BatchOutcome[] = new Array(ctxs.length);
      const startLine = (id: string) => `Starting enrichment for ${spec.noun} ${id} (one of ${ctxs.length} in an Apollo bulk call)`;
      const ready: Array<Prepared<Target> & { index: number }> = [];
      (await settleEach(ctxs, (ctx) => prepare(ctx, startLine))).forEach((p, index) => {
        if ("ctx" in p) ready.push({ ...p, index });
        else outcomes[index] = p;
      });
      if (ready.length === 0) return outcomes;
      const settle = (jobs: typeof ready, results: BatchOutcome[]) => jobs.forEach((job, i) => (outcomes[job.index] = results[i]));

      let apollo: ApolloClient;
      try {
        apollo = await clientFor(ready[0].ctx);
      } catch (error) {
        settle(ready, ready.map(() => error as Error));
        return outcomes;
      }
      const bulk = ready.filter((job) => spec.bulkable(job.target));
      const single = ready.filter((job) => !spec.bulkable(job.target));
      const singles = settleEach(single, (job) => alone(job, apollo));

      // A job whose lease is gone before the call drops out of it (its outcome is that error).
      const called: typeof bulk = [];
      (await settleEach(bulk, (job) => job.ctx.progress(40, spec.bulkCallLine(bulk.length)))).forEach((r, i) => {
        if (r instanceof Error) outcomes[bulk[i].index] = r;
        else called.push(bulk[i]);
      });
      if (called.length === 1) settle(called, await settleEach(called, (job) => alone(job, apollo)));
      else if (called.length > 1) settle(called, await bulkCall(called, apollo));
      settle(single, await singles);
      return outcomes;
    },
  };
}
