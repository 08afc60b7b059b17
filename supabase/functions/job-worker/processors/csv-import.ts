// import_accounts and import_contacts: a CSV file in Storage (bucket imports) becomes accounts or
// contacts. The file is streamed from the checkpoint (a Range request from the byte the last batch
// ended at), parsed record by record, each record validated (the kind's rows file in _shared/csv),
// and written in batches by the kind's rows function (import_account_rows, import_contact_rows),
// which writes each row once and moves the checkpoint in the same transaction. An invocation does a
// bounded share (rows and seconds, well inside hosted's 2 s of CPU and 150 s) and then puts the job
// back to go on from the checkpoint; a killed worker's job resumes the same way.
import { readObject } from "../../_shared/storage.ts";
import { CsvEncodingError, csvRecords } from "../../_shared/csv/records.ts";
import { type ColumnIndexes, columnIndexes, type Mapping } from "../../_shared/csv/row-reader.ts";
import { detectSeparator } from "../../_shared/csv/dialect.ts";
import {
  ACCOUNTS_IMPORT,
  type AnyImportKindSpec,
  CONTACTS_IMPORT,
  type ImportRowBase,
} from "../../_shared/csv/import-kinds.ts";
import { ContinueLater, JobError } from "../../_shared/jobs/errors.ts";
import { importPayload } from "../../_shared/jobs/payloads.ts";
import { envNumber } from "../../_shared/apollo/env.ts";
import type { Tables } from "../../_shared/database.types.ts";
import type { JobContext, Processor, ProcessorResult } from "./types.ts";

/** Rows written per statement. */
const BATCH_ROWS = 1000;
/** A progress line every this many rows. */
const PROGRESS_EVERY = 5000;

/** An import as the worker reads it (as jsonb: its bigints are numbers), its mapping typed. */
type ImportRow = Omit<Tables<"imports">, "mapping"> & { mapping: Mapping };

function summary(i: ImportRow) {
  const accounts = i.accounts_created > 0 ? ` (and ${i.accounts_created} account(s) for their companies)` : "";
  return `${i.created_count} created${accounts}, ${i.updated_count} updated, ${i.skipped_count} skipped as duplicates, ${i.failed_count} failed`;
}

function resultOf(i: ImportRow) {
  return {
    import_id: i.id,
    rows: i.rows_done,
    created: i.created_count,
    updated: i.updated_count,
    skipped: i.skipped_count,
    failed: i.failed_count,
    accounts_created: i.accounts_created,
    enrich_jobs: i.enrich_jobs,
  };
}

function percentOf(i: ImportRow): number {
  return i.bytes_total ? Math.min(95, Math.max(5, Math.floor((i.bytes_done / i.bytes_total) * 95))) : 5;
}

/** The separator and header of a file read from its start: the first record, split both ways. */
async function* withHeader(ctx: JobContext, imp: ImportRow, env = Deno.env) {
  const object = await readObject(
    "imports",
    imp.object_path,
    imp.bytes_done,
    env,
  );
  if (imp.headers && imp.separator) {
    yield* csvRecords(object.body, {
      separator: imp.separator,
      startByte: imp.bytes_done,
    });
    return;
  }
  // A new import: peek at the first line for the separator, then parse the whole stream.
  const reader = object.body.getReader();
  const first = await reader.read();
  const head = new TextDecoder().decode(first.value ?? new Uint8Array())
    .replace(/^\uFEFF/, "");
  const separator = detectSeparator(head.split(/\r?\n/, 1)[0] ?? "");
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.value) controller.enqueue(first.value);
      if (first.done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  imp.separator = separator;
  await ctx.log(
    `The file's columns are separated by ${separator === "\t" ? "tabs" : `"${separator}"`}`,
  );
  yield* csvRecords(rest, { separator, startByte: 0 });
}

/**
 * One run's CPU, estimated for IMPORT_ROWS_PER_INVOCATION (10,000) rows: parsing, validating and
 * sending them took 560 ms here (`npm run bench -- --only=import`); the invocation counts it
 * against its CPU budget, so it takes on at most two runs, well inside hosted's 2 s.
 */
export const IMPORT_CPU_MS_PER_RUN = 700;

/** The processor of one kind of import. */
export function csvImportProcessor(spec: AnyImportKindSpec): Processor {
  return {
    jobType: spec.jobType,
    cpuMsPerRun: IMPORT_CPU_MS_PER_RUN,
    process: (ctx) => importFile(spec, ctx),
  };
}

export const importAccounts = csvImportProcessor(ACCOUNTS_IMPORT);
export const importContacts = csvImportProcessor(CONTACTS_IMPORT);

async function importFile(
  spec: AnyImportKindSpec,
  ctx: JobContext,
): Promise<ProcessorResult> {
  const parsed = importPayload.safeParse(ctx.job.payload);
  if (!parsed.success) {
    throw new JobError(
      `Invalid payload for ${spec.jobType}: import_id must be a uuid`,
      { retryable: false },
    );
  }
  // as jsonb, like the batches' answers: its bigints come as numbers (postgres.js reads int8 as strings)
  const [found] = await ctx.sql<{ imp: ImportRow }[]>`
      select to_jsonb(i) as imp from public.imports i where i.id = ${parsed.data.import_id}`;
  if (!found) {
    throw new JobError("This import no longer exists", { retryable: false });
  }
  const imp = found.imp;
  if (imp.kind !== spec.kind) {
    throw new JobError(
      `This import brings in ${imp.kind}, not ${spec.kind}: queue it as import_${imp.kind}`,
      { retryable: false },
    );
  }
  if (imp.finished_at) {
    return {
      result: resultOf(imp),
      message: `Import completed: ${summary(imp)}`,
    };
  }

  const [{ max_rows }] = await ctx.sql<
    { max_rows: number }[]
  >`select max_import_rows as max_rows from public.import_quotas`;
  const rowsPerRun = envNumber(Deno.env, "IMPORT_ROWS_PER_INVOCATION", 10_000);
  const secondsPerRun = envNumber(
    Deno.env,
    "IMPORT_SECONDS_PER_INVOCATION",
    20,
  );
  const started = Date.now();
  await ctx.progress(
    percentOf(imp),
    imp.rows_done === 0
      ? `Reading ${imp.file_name}...`
      : `Going on from row ${imp.rows_done + 2} of ${imp.file_name}...`,
  );

  let headers = imp.headers;
  let indexes: ColumnIndexes = {};
  if (headers) indexes = columnIndexes(headers, imp.mapping).indexes;
  let batch: ImportRowBase[] = [];
  let rowsDone = imp.rows_done;
  let bytesDone = imp.bytes_done;
  let sinceProgress = 0;
  let current = imp;

  /** Writes one batch (and the checkpoint after it); a lost lease stops the run. */
  const write = async (rows: ImportRowBase[], upTo: number, bytes: number) => {
    const [row] = await ctx.sql<{ imp: ImportRow | null }[]>`
        select to_jsonb(i) as imp from public.${ctx.sql(spec.rowsFunction)}(${ctx.job.id}, ${ctx.workerId}, ${
      ctx.sql.json(rows as never)
    }, ${upTo}, ${bytes}, ${headers}, ${current.separator ?? imp.separator}) i`;
    if (!row.imp || !row.imp.id) ctx.leaseLost();
    current = { ...row.imp, separator: current.separator ?? imp.separator };
    if (sinceProgress >= PROGRESS_EVERY) {
      sinceProgress = 0;
      await ctx.progress(
        percentOf(current),
        `Imported ${current.rows_done.toLocaleString("en")} rows: ${summary(current)}`,
      );
    }
  };
  // The database writes a batch while the next one is parsed (the two take turns on hosted's CPU
  // budget only for the parsing): one write in flight at a time, in file order.
  let writing: Promise<void> = Promise.resolve();
  const startWrite = () => {
    const rows = batch;
    const upTo = rowsDone;
    const bytes = bytesDone;
    batch = [];
    writing = writing.then(() => write(rows, upTo, bytes));
    // awaited before the next write and at the end; until then a failure must not go unobserved
    writing.catch(() => undefined);
  };

  try {
    for await (const { fields, endByte } of withHeader(ctx, imp)) {
      if (ctx.signal.aborted) ctx.leaseLost();
      if (!headers) {
        headers = fields.map((h) => h.trim());
        const found = columnIndexes(headers, imp.mapping);
        if (found.missing.length > 0) {
          throw new JobError(
            `The file has no column named ${found.missing.map((h) => `"${h}"`).join(", ")}: check the mapping`,
            { retryable: false },
          );
        }
        indexes = found.indexes;
        bytesDone = endByte;
        current.separator = imp.separator;
        continue;
      }
      rowsDone++;
      bytesDone = endByte;
      if (rowsDone > max_rows) {
        throw new JobError(
          `The file has more than ${max_rows.toLocaleString("en")} rows, the most one import takes: split it`,
          { retryable: false },
        );
      }
      batch.push(spec.toRow(fields, rowsDone + 1, indexes, headers));
      sinceProgress++;
      if (batch.length >= BATCH_ROWS) {
        await writing;
        startWrite();
        if (
          rowsDone - imp.rows_done >= rowsPerRun ||
          Date.now() - started > secondsPerRun * 1000
        ) {
          await writing;
          throw new ContinueLater(
            `Imported ${rowsDone.toLocaleString("en")} rows so far (${summary(current)}); going on in the next run`,
          );
        }
      }
    }
    if (!headers) {
      throw new JobError("The file is empty: it has no header row", {
        retryable: false,
      });
    }
    await writing;
    if (batch.length > 0 || headers !== imp.headers) startWrite();
    await writing;
  } catch (error) {
    // a batch still being written finishes (or fails on its fence) before the run ends
    await writing.catch(() => undefined);
    if (error instanceof CsvEncodingError) {
      throw new JobError(error.message, { retryable: false });
    }
    if (
      error instanceof Error &&
      /Invalid Record Length|Quote|quote|Invalid Opening/.test(error.message)
    ) {
      throw new JobError(
        `The file is not valid CSV after row ${rowsDone + 1}: ${error.message}`,
        { retryable: false },
      );
    }
    throw error;
  }

  const [done] = await ctx.sql<{ imp: ImportRow | null }[]>`
      select to_jsonb(i) as imp from public.finish_import(${ctx.job.id}, ${ctx.workerId}) i`;
  if (!done.imp || !done.imp.id) ctx.leaseLost();
  const finished = done.imp;
  if (finished.enrich_jobs > 0) {
    await ctx.log(
      `Queued enrichment of the ${finished.enrich_jobs} new ${spec.noun}(s)${
        spec.kind === "accounts" ? " with a domain" : ""
      }`,
    );
  }
  return {
    result: resultOf(finished),
    message: `Import completed: ${summary(finished)}`,
  };
}
