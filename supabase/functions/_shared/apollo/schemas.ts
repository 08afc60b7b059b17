// zod schemas for Apollo's 2xx bodies. Tolerant on purpose: every field optional and nullable, unknown fields
// kept (looseObject), numbers accepted as int, float or numeric string (annual_revenue has been both 345600000
// and 345600000.0), strings accepted from numbers. What is rejected is a body whose *structure* is wrong
// (not an object, `organization` a string, ...): the client reports that as a retryable bad_response.
import { z } from "zod";

/** A number, a numeric string ("345600000.0") or null/absent. */
const num = z.preprocess(
  (v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
  z.number().nullish(),
);
/** A string (numbers become strings, e.g. a phone sent as a number) or null/absent. */
const text = z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string().nullish());
const bool = z.boolean().nullish();
const list = z.array(z.unknown()).nullish();
const textList = z.array(z.string().nullable()).nullish();
const record = z.looseObject({}).nullish();

export const organizationSchema = z.looseObject({
  id: text,
  name: text,
  website_url: text,
  blog_url: text,
  angellist_url: text,
  linkedin_url: text,
  twitter_url: text,
  facebook_url: text,
  crunchbase_url: text,
  primary_domain: text,
  logo_url: text,
  linkedin_uid: text,
  primary_phone: z.looseObject({ number: text, source: text, sanitized_number: text }).nullish(),
  phone: text,
  sanitized_phone: text,
  languages: list,
  alexa_ranking: num,
  founded_year: num,
  publicly_traded_symbol: text,
  publicly_traded_exchange: text,
  industry: text,
  industries: textList,
  secondary_industries: textList,
  keywords: textList,
  industry_tag_id: text,
  estimated_num_employees: num,
  raw_address: text,
  street_address: text,
  city: text,
  state: text,
  postal_code: text,
  country: text,
  seo_description: text,
  short_description: text,
  annual_revenue_printed: text,
  annual_revenue: num,
  total_funding: num,
  total_funding_printed: text,
  latest_funding_round_date: text,
  latest_funding_stage: text,
  funding_events: list,
  technology_names: textList,
  current_technologies: list,
  departmental_head_count: record,
});

export const personSchema = z.looseObject({
  id: text,
  first_name: text,
  last_name: text,
  name: text,
  linkedin_url: text,
  title: text,
  headline: text,
  photo_url: text,
  email: text,
  email_status: text,
  personal_emails: textList,
  organization_id: text,
  employment_history: list,
  city: text,
  state: text,
  country: text,
  organization: organizationSchema.nullish(),
  departments: textList,
  subdepartments: textList,
  seniority: text,
  functions: textList,
});

/** `GET organizations/enrich`: `{organization: {...}}`; no match is `{}` or `{"organization": null}`. */
export const organizationEnrichResponseSchema = z.looseObject({ organization: organizationSchema.nullish() });

/** `POST people/match`: `{person: {...}}`; no match is `{"person": null}` (or `{}`). */
export const personMatchResponseSchema = z.looseObject({ person: personSchema.nullish() });

/** `POST organizations/bulk_enrich`. Match results to inputs by primary_domain, not by position. */
export const bulkOrganizationResponseSchema = z.looseObject({
  status: text,
  error_code: text,
  error_message: text,
  total_requested_domains: num,
  unique_domains: num,
  unique_enriched_records: num,
  missing_records: num,
  organizations: z.array(organizationSchema.nullable()).nullish(),
});

/** `POST people/bulk_match`. Match results back by identity (email, linkedin_url, ...), not by position. */
export const bulkPeopleResponseSchema = z.looseObject({
  status: text,
  error_code: text,
  error_message: text,
  total_requested_enrichments: num,
  unique_enriched_records: num,
  missing_records: num,
  credits_consumed: num,
  matches: z.array(personSchema.nullable()).nullish(),
});

const profileFields = z.looseObject({
  id: text,
  team_id: text,
  first_name: text,
  last_name: text,
  name: text,
  title: text,
  email: text,
});

/** `GET users/api_profile`: the key's user at the top level (some answers nest it under `user`). */
export const apiProfileResponseSchema = profileFields.extend({ user: profileFields.nullish() });

/** `GET auth/health`: 200 even for a bad key; only is_logged_in counts. */
export const healthResponseSchema = z.looseObject({ healthy: bool, is_logged_in: bool });

const usageWindow = z.looseObject({ limit: num, consumed: num, left_over: num });

/** `POST usage_stats/api_usage_stats` (master key only): per endpoint key like `["api/v1/people", "match"]`. */
export const usageStatsResponseSchema = z.record(
  z.string(),
  z.looseObject({ day: usageWindow.nullish(), hour: usageWindow.nullish(), minute: usageWindow.nullish() }).nullable(),
);

/** Error bodies, when they are JSON at all (a 401 is often text/plain). */
export const errorBodySchema = z.looseObject({ error: text, message: text, error_code: text, status: num });

export type OrganizationEnrichResponse = z.infer<typeof organizationEnrichResponseSchema>;
export type PersonMatchResponse = z.infer<typeof personMatchResponseSchema>;
export type BulkOrganizationResponse = z.infer<typeof bulkOrganizationResponseSchema>;
export type BulkPeopleResponse = z.infer<typeof bulkPeopleResponseSchema>;
export type ApiProfileResponse = z.infer<typeof apiProfileResponseSchema>;
export type HealthResponse = z.infer<typeof healthResponseSchema>;
export type UsageStatsResponse = z.infer<typeof usageStatsResponseSchema>;

/** A short, key-free description of why a body did not fit, for bad_response messages. */
export function describeSchemaIssues(error: z.ZodError, max = 3): string {
  const issues = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`);
  const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : "";
  return issues.join("; ") + more;
}
