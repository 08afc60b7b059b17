// Apollo's person -> our contact columns (only values Apollo has; locked emails skipped).
import type { ApolloPerson } from "../../_shared/apollo/types.ts";

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

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

export function contactFieldsFrom(person: ApolloPerson): ContactFields {
  const email = text(person.email);
  const fields: ContactFields = {
    first_name: text(person.first_name),
    last_name: text(person.last_name),
    // Apollo answers email_not_unlocked@domain.com when the email is not revealed.
    email: email && !email.startsWith("email_not_unlocked@") ? email.toLowerCase() : undefined,
    title: text(person.title),
    seniority: text(person.seniority),
    linkedin_url: text(person.linkedin_url),
    city: text(person.city),
    state: text(person.state),
    country: text(person.country),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as ContactFields;
}
