// Bulk answers are matched to what was asked by identity, never by position: Apollo returns only
// what it found, in its own order, and may return one record for two inputs.
import { normalizeDomain } from "../domain.ts";
import type { ApolloOrganization, ApolloPerson, PersonMatchRequest } from "./types.ts";

/** The most records one bulk call may carry. */
export const BULK_MAX_RECORDS = 10;

function hostOf(url: unknown): string {
  return typeof url === "string" && url.trim() !== "" ? normalizeDomain(url) : "";
}

/** Each requested domain's organization: the one whose primary domain (or website) is that domain. */
export function organizationsByDomain(requested: string[], organizations: Array<ApolloOrganization | null>): Map<string, ApolloOrganization> {
  const wanted = new Set(requested.map(normalizeDomain));
  const found = new Map<string, ApolloOrganization>();
  for (const organization of organizations) {
    if (!organization) continue;
    for (const domain of [hostOf(organization.primary_domain), hostOf(organization.website_url)]) {
      if (domain && wanted.has(domain) && !found.has(domain)) found.set(domain, organization);
    }
  }
  return found;
}

const email = (value: unknown) => (typeof value === "string" && value.includes("@") ? value.trim().toLowerCase() : "");
const linkedin = (value: unknown) =>
  typeof value === "string" && value.trim() !== "" ? value.trim().toLowerCase().replace(/^https?:\/\/(www\.)?/, "").replace(/\/+$/, "") : "";

/** Each request's person, found by email, else by LinkedIn URL; and how many matches fit no request. */
export function peopleByRequest(
  requests: PersonMatchRequest[],
  people: Array<ApolloPerson | null>,
): { byRequest: Map<number, ApolloPerson>; unidentified: number } {
  const byEmail = new Map<string, number>();
  const byLinkedin = new Map<string, number>();
  requests.forEach((r, i) => {
    if (email(r.email)) byEmail.set(email(r.email), i);
    if (linkedin(r.linkedin_url)) byLinkedin.set(linkedin(r.linkedin_url), i);
  });
  const byRequest = new Map<number, ApolloPerson>();
  let unidentified = 0;
  for (const person of people) {
    if (!person) continue;
    const index = byEmail.get(email(person.email)) ?? byLinkedin.get(linkedin(person.linkedin_url));
    if (index === undefined) unidentified++;
    else if (!byRequest.has(index)) byRequest.set(index, person);
  }
  return { byRequest, unidentified };
}
