// Apollo's organization -> our account columns, by the rules in _shared/apollo/field-map.ts.
import type { ApolloOrganization } from "../../_shared/apollo/types.ts";
import { ACCOUNT_FIELDS, fieldsFrom } from "../../_shared/apollo/field-map.ts";

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

/** Only values Apollo actually has are returned, so enrichment never replaces something we know with null. */
export function accountFieldsFrom(org: ApolloOrganization): AccountFields {
  return fieldsFrom(ACCOUNT_FIELDS, org as Record<string, unknown>) as AccountFields;
}
