// Apollo responses -> our columns, and job payload validation (no database needed).
import assert from "node:assert/strict";
import { accountFieldsFrom } from "../job-worker/processors/organization-fields.ts";
import { contactFieldsFrom } from "../job-worker/processors/person-fields.ts";
import { enrichAccountPayload, enrichContactPayload } from "../_shared/jobs/payloads.ts";

Deno.test("organization fields: Apollo's names mapped, nulls and blanks dropped", () => {
  const fields = accountFieldsFrom({
    industry: "financial services",
    estimated_num_employees: 8000,
    annual_revenue: 345600000.0,
    city: "San Francisco",
    state: "California",
    country: "United States",
    primary_phone: { number: "+1 888-963-8955" },
    linkedin_url: "http://www.linkedin.com/company/stripe",
    website_url: "http://www.stripe.com",
    short_description: "Payments infrastructure for the internet.",
    founded_year: 2010,
    raw_address: null,
    seo_description: "",
  });
  assert.deepEqual(fields, {
    industry: "financial services",
    employee_count: 8000,
    annual_revenue: 345600000,
    city: "San Francisco",
    state: "California",
    country: "United States",
    phone: "+1 888-963-8955",
    linkedin_url: "http://www.linkedin.com/company/stripe",
    website_url: "http://www.stripe.com",
    description: "Payments infrastructure for the internet.",
    founded_year: 2010,
  });
});

Deno.test("organization fields: nothing known means nothing to write", () => {
  assert.deepEqual(accountFieldsFrom({ industry: null, city: "  ", estimated_num_employees: null, founded_year: 3 }), {});
});

Deno.test("person fields: a locked email placeholder is not an email", () => {
  const fields = contactFieldsFrom({
    first_name: "Maya",
    last_name: "Lindqvist",
    email: "email_not_unlocked@stripe.com",
    title: "Head of Revenue Operations",
    seniority: "head",
    city: null,
  });
  assert.deepEqual(fields, { first_name: "Maya", last_name: "Lindqvist", title: "Head of Revenue Operations", seniority: "head" });
});

Deno.test("payloads: account_id must be a uuid, domain bare", () => {
  assert.equal(enrichAccountPayload.safeParse({ account_id: "account-1", domain: "example1.com" }).success, false);
  assert.equal(enrichAccountPayload.safeParse({ account_id: "7d1d6c62-3c0e-4b8e-9d7e-3f1f4a2b9c10" }).success, true);
  assert.equal(enrichAccountPayload.safeParse({ account_id: "7d1d6c62-3c0e-4b8e-9d7e-3f1f4a2b9c10", domain: "https://x.com" }).success, false);
  assert.equal(enrichContactPayload.safeParse({ contact_id: "nope" }).success, false);
});
