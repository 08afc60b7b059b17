// Job payloads, validated by the jobs API before a job is queued and by the worker before it
// runs one (a hand-written INSERT can hold anything).
import { z } from "zod";
import { isValidDomain } from "../domain.ts";

const domain = z.string().trim().toLowerCase().refine(isValidDomain, "must be a bare domain like acme.com");

export const enrichAccountPayload = z.object({
  account_id: z.uuid({ error: "must be an account id (uuid)" }),
  domain: domain.optional(),
});

export const enrichContactPayload = z.object({
  contact_id: z.uuid({ error: "must be a contact id (uuid)" }),
  email: z.email().optional(),
});

/** An import started by start_import (the file, its kind and its mapping are on the import). */
export const importPayload = z.object({
  import_id: z.uuid({ error: "must be an import id (uuid)" }),
});

export const payloadSchemas = {
  enrich_account: enrichAccountPayload,
  enrich_contact: enrichContactPayload,
  import_accounts: importPayload,
  import_contacts: importPayload,
} as const;

export type JobType = keyof typeof payloadSchemas;
export const JOB_TYPES = Object.keys(payloadSchemas) as JobType[];

export type EnrichAccountPayload = z.infer<typeof enrichAccountPayload>;
export type EnrichContactPayload = z.infer<typeof enrichContactPayload>;
