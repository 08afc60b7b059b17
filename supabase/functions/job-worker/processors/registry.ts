// Processors by job_type. A job type without a processor fails at once with a clear message.
import { enrichAccount } from "./enrich-account.ts";
import { enrichContact } from "./enrich-contact.ts";
import { importAccounts, importContacts } from "./csv-import.ts";
import type { Processor } from "./types.ts";

export const processors: ReadonlyMap<string, Processor> = new Map(
  [enrichAccount, enrichContact, importAccounts, importContacts].map((p) => [p.jobType, p]),
);
