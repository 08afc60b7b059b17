// Apollo's person -> our contact columns, by the rules in _shared/apollo/field-map.ts.
import type { ApolloPerson } from "../../_shared/apollo/types.ts";
import { CONTACT_FIELDS, fieldsFrom } from "../../_shared/apollo/field-map.ts";

export interface ContactFields {
  first_name?: string;
  last_name?: string;
  email?: string;
  title?: string;
  seniority?: string;
  linkedin_url?: string;
  city?: string;
  state?: string;
  country?: string;
}

/** Only values Apollo has (a locked email is not one). */
export function contactFieldsFrom(person: ApolloPerson): ContactFields {
  return fieldsFrom(CONTACT_FIELDS, person as Record<string, unknown>) as ContactFields;
}
