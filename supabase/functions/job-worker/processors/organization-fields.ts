// Apollo's organization -> our account columns. Only values Apollo actually has are returned,
// so enrichment never replaces something we know with null.
import type { ApolloOrganization } from "../../_shared/apollo/types.ts";

export interface AccountFields {
  industry?: string;
  employee_count?: number;
  annual_revenue?: number;
  city?: string;
  state?: string;
  country?: string;
  phone?: string;
  linkedin_url?: string;
  website_url?: string;
  description?: string;
  founded_year?: number;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

const wholeNumber = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;

export function accountFieldsFrom(org: ApolloOrganization): AccountFields {
  const primaryPhone = (org.primary_phone as { number?: unknown } | null | undefined)?.number;
  const founded = wholeNumber(org.founded_year);
  const fields: AccountFields = {
    industry: text(org.industry),
    employee_count: wholeNumber(org.estimated_num_employees),
    annual_revenue: wholeNumber(org.annual_revenue),
    city: text(org.city),
    state: text(org.state),
    country: text(org.country),
    phone: text(primaryPhone) ?? text(org.phone) ?? text(org.sanitized_phone),
    linkedin_url: text(org.linkedin_url),
    website_url: text(org.website_url),
    description: text(org.short_description) ?? text(org.seo_description),
    founded_year: founded !== undefined && founded >= 1000 && founded <= 2200 ? founded : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as AccountFields;
}
