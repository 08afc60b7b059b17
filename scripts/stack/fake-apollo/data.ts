// Deterministic fake Apollo records: well-known domains get plausible real-world firmographics, any other
// domain gets generated but stable data (the same domain always yields the same record), people are derived
// from their email / name / LinkedIn URL. Shapes follow Apollo's organization and person objects.
import { SAMPLE_DATA_KEY } from "../../../supabase/functions/_shared/apollo/sample-data.ts";
import type { PersonMatchRequest } from "../../../supabase/functions/_shared/apollo/types.ts";
import knownCompanies from "./known-companies.json" with { type: "json" };

/** FNV-1a 32-bit. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A stable 24-hex id, like Apollo's (Mongo ObjectId-looking) ids. */
export function fakeId(kind: string, value: string): string {
  return [1, 2, 3].map((i) => hash32(`${kind}:${value}`, 0x811c9dc5 + i).toString(16).padStart(8, "0")).join("");
}

function pick<T>(items: readonly T[], key: string, salt: string): T {
  return items[hash32(`${salt}:${key}`) % items.length];
}

function titleCase(word: string): string {
  return word ? word[0].toUpperCase() + word.slice(1) : word;
}

export function printed(amount: number | null): string | null {
  if (amount === null) return null;
  if (amount >= 1e9) return `${+(amount / 1e9).toFixed(1)}B`;
  if (amount >= 1e6) return `${+(amount / 1e6).toFixed(1)}M`;
  if (amount >= 1e3) return `${+(amount / 1e3).toFixed(1)}K`;
  return String(amount);
}

interface Firmographics {
  name: string;
  industry: string;
  employees: number;
  founded: number;
  city: string;
  state: string;
  country: string;
  postal: string | null;
  street: string | null;
  revenue: number | null;
  funding: number | null;
  fundingStage: string | null;
  fundingDate: string | null;
  symbol?: string;
  exchange?: string;
  linkedin: string;
  twitter: string | null;
  description: string;
  keywords: string[];
  technologies: string[];
}

const US = "United States";

/**
 * Plausible, public-knowledge figures (rounded; Apollo's own numbers are estimates too), one record per
 * domain in known-companies.json: records of one shape are data, not code.
 */
export const KNOWN_COMPANIES: Readonly<Record<string, Firmographics>> = knownCompanies;

const INDUSTRIES = [
  "information technology & services",
  "computer software",
  "internet",
  "marketing & advertising",
  "financial services",
  "hospital & health care",
  "retail",
  "management consulting",
  "staffing & recruiting",
  "real estate",
  "construction",
  "e-learning",
  "logistics & supply chain",
  "telecommunications",
  "food & beverages",
] as const;
const HEADCOUNTS = [8, 15, 25, 42, 60, 85, 120, 180, 250, 400, 650, 1100, 2400, 5200] as const;
const PLACES: ReadonlyArray<readonly [string, string, string, string]> = [
  ["San Francisco", "California", US, "94105"],
  ["New York", "New York", US, "10001"],
  ["Austin", "Texas", US, "78701"],
  ["Boston", "Massachusetts", US, "02110"],
  ["Chicago", "Illinois", US, "60601"],
  ["Seattle", "Washington", US, "98101"],
  ["Denver", "Colorado", US, "80202"],
  ["London", "England", "United Kingdom", "EC2A 4NE"],
  ["Berlin", "Berlin", "Germany", "10115"],
  ["Toronto", "Ontario", "Canada", "M5V 2T6"],
  ["Paris", "Ile-de-France", "France", "75002"],
  ["Amsterdam", "North Holland", "Netherlands", "1012 AB"],
  ["Sydney", "New South Wales", "Australia", "2000"],
  ["Dublin", "Dublin", "Ireland", "D02 X285"],
];
const STAGES = [null, "Seed", "Series A", "Series B", "Series C", "Venture (Round not Specified)"] as const;
const TECH = [
  "AWS",
  "Google Cloud",
  "Microsoft Azure",
  "React",
  "Salesforce",
  "HubSpot",
  "Google Analytics",
  "Slack",
  "Zendesk",
  "Stripe",
  "WordPress",
  "Node.js",
  "Python",
  "Cloudflare",
] as const;

function generated(domain: string): Firmographics {
  const label = domain.split(".")[0];
  const name = label.split(/[-_]+/).filter(Boolean).map(titleCase).join(" ") || domain;
  const industry = pick(INDUSTRIES, domain, "industry");
  const employees = pick(HEADCOUNTS, domain, "employees");
  const founded = 1985 + (hash32(domain, 7) % 38);
  const [city, state, country, postal] = pick(PLACES, domain, "place");
  const hasRevenue = hash32(domain, 11) % 7 !== 0;
  const perHead = 90_000 + (hash32(domain, 13) % 170) * 1000;
  const revenue = hasRevenue ? Math.round((employees * perHead) / 100_000) * 100_000 : null;
  const stage = pick(STAGES, domain, "stage");
  const funding = stage ? (1 + (hash32(domain, 17) % 60)) * 1_000_000 : null;
  const techCount = 2 + (hash32(domain, 19) % 4);
  const technologies = Array.from({ length: techCount }, (_, i) => TECH[(hash32(domain, 23) + i * 5) % TECH.length]);
  return {
    name,
    industry,
    employees,
    founded,
    city,
    state,
    country,
    postal,
    street: `${1 + (hash32(domain, 29) % 900)} ${
      pick(["Market St", "Main St", "Broadway", "King St", "High St"], domain, "street")
    }`,
    revenue,
    funding,
    fundingStage: stage,
    fundingDate: stage
      ? `${2015 + (hash32(domain, 31) % 9)}-0${1 + (hash32(domain, 37) % 9)}-15T00:00:00.000+00:00`
      : null,
    linkedin: label,
    twitter: hash32(domain, 41) % 3 === 0 ? null : label,
    description: `${name} is a ${industry} company founded in ${founded}, based in ${city}.`,
    keywords: [industry, `${label} platform`, "b2b"],
    technologies: [...new Set(technologies)],
  };
}

function fakePhone(domain: string, country: string): { number: string; sanitized: string } {
  const n = String(100 + (hash32(domain, 43) % 100)).slice(-2);
  const number = country === US || country === "Canada" ? `+1 415-555-01${n}` : `+44 20 7946 09${n}`;
  return { number, sanitized: number.replace(/[^\d+]/g, "") };
}

function departmentHeadCount(employees: number, domain: string): Record<string, number> {
  const share = (salt: string, base: number) =>
    Math.max(0, Math.round(employees * (base + (hash32(domain, hash32(salt)) % 10) / 100)));
  return {
    engineering: share("engineering", 0.2),
    sales: share("sales", 0.12),
    marketing: share("marketing", 0.05),
    operations: share("operations", 0.05),
    support: share("support", 0.04),
    finance: share("finance", 0.02),
    human_resources: share("hr", 0.02),
    product_management: share("product", 0.02),
  };
}

/** The organization object Apollo would return for this (bare, lower-case) domain. */
export function organizationFor(domain: string): Record<string, unknown> {
  const f = KNOWN_COMPANIES[domain] ?? generated(domain);
  const id = fakeId("org", domain);
  const phone = fakePhone(domain, f.country);
  const address = [f.street, f.city, f.state, f.postal, f.country].filter(Boolean).join(", ");
  return {
    // made up here, and says so (the account page shows "sample data, not from Apollo")
    [SAMPLE_DATA_KEY]: true,
    id,
    name: f.name,
    website_url: `http://www.${domain}`,
    blog_url: null,
    angellist_url: null,
    linkedin_url: `http://www.linkedin.com/company/${f.linkedin}`,
    twitter_url: f.twitter ? `https://twitter.com/${f.twitter}` : null,
    facebook_url: null,
    primary_phone: { number: phone.number, source: "Account", sanitized_number: phone.sanitized },
    languages: ["English"],
    alexa_ranking: null,
    phone: phone.number,
    linkedin_uid: String(10_000 + (hash32(domain, 47) % 9_000_000)),
    founded_year: f.founded,
    publicly_traded_symbol: f.symbol ?? null,
    publicly_traded_exchange: f.exchange ?? null,
    logo_url: `https://zenprospect-production.s3.amazonaws.com/uploads/pictures/${id}/picture`,
    crunchbase_url: null,
    primary_domain: domain,
    sanitized_phone: phone.sanitized,
    industry: f.industry,
    keywords: f.keywords,
    estimated_num_employees: f.employees,
    industries: [f.industry],
    secondary_industries: [],
    snippets_loaded: true,
    industry_tag_id: fakeId("industry", f.industry),
    retail_location_count: 0,
    raw_address: address,
    street_address: f.street ?? "",
    city: f.city,
    state: f.state,
    postal_code: f.postal,
    country: f.country,
    owned_by_organization_id: null,
    seo_description: f.description,
    short_description: f.description,
    annual_revenue_printed: printed(f.revenue),
    annual_revenue: f.revenue,
    total_funding: f.funding,
    total_funding_printed: printed(f.funding),
    latest_funding_round_date: f.fundingDate,
    latest_funding_stage: f.fundingStage,
    funding_events: [],
    technology_names: f.technologies,
    current_technologies: f.technologies.map((name) => ({
      uid: name.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
      name,
      category: /cloud|aws|azure/i.test(name) ? "Hosting" : "Other",
    })),
    departmental_head_count: departmentHeadCount(f.employees, domain),
  };
}

// ---------------------------------------------------------------------------------------------------------
// People

const FIRST = ["Alex", "Jordan", "Sam", "Taylor", "Morgan", "Riley", "Casey", "Jamie", "Avery", "Quinn"] as const;
const LAST = ["Smith", "Garcia", "Chen", "Patel", "Kim", "Müller", "Rossi", "Nguyen", "Johnson", "Silva"] as const;
const ROLES: ReadonlyArray<readonly [string, string, string[]]> = [
  ["VP of Engineering", "vp", ["engineering_technical"]],
  ["Head of Growth", "head", ["marketing"]],
  ["Account Executive", "senior", ["sales"]],
  ["Software Engineer", "senior", ["engineering_technical"]],
  ["Chief Executive Officer", "c_suite", ["c_suite"]],
  ["Product Manager", "manager", ["product_management"]],
  ["Director of Marketing", "director", ["marketing"]],
  ["Customer Success Manager", "manager", ["support"]],
  ["Head of Finance", "head", ["finance"]],
  ["Technical Recruiter", "entry", ["human_resources"]],
];
export const FREEMAIL = new Set([
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "icloud.com",
  "proton.me",
  "aol.com",
]);

/** people/match's parameters: those the client sends (PersonMatchRequest) and Apollo's other identifiers. */
export interface PersonQuery extends PersonMatchRequest {
  id?: string;
  hashed_email?: string;
}

/** The domain a person query points at: explicit domain, else the email's. */
export function personDomain(q: PersonQuery): string | undefined {
  const fromEmail = q.email?.includes("@") ? q.email.split("@").pop() : undefined;
  const d = (q.domain ?? fromEmail)?.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/^www\./, "").split(
    "/",
  )[0];
  return d || undefined;
}

function namesFrom(q: PersonQuery, identity: string): [string, string] {
  if (q.first_name || q.last_name) return [q.first_name ?? "", q.last_name ?? ""];
  if (q.name) {
    const parts = q.name.trim().split(/\s+/);
    return [parts[0] ?? "", parts.slice(1).join(" ")];
  }
  const local = q.email?.split("@")[0] ?? q.linkedin_url?.replace(/\/+$/, "").split("/").pop() ?? "";
  const parts = local.split(/[._-]+/).filter((p) => /^[a-z]+$/i.test(p));
  if (parts.length >= 2) return [titleCase(parts[0].toLowerCase()), titleCase(parts[1].toLowerCase())];
  return [pick(FIRST, identity, "first"), pick(LAST, identity, "last")];
}

/**
 * Apollo's person for this query, or null when Apollo could not match it: an email whose local part starts
 * with unknown / nobody / no-match, or only a name with nothing to tie it to a company.
 */
export function personFor(q: PersonQuery, organizationOf: (domain: string) => Record<string, unknown> | null) {
  const local = q.email?.split("@")[0]?.toLowerCase() ?? "";
  if (/^(unknown|nobody|no-match)/.test(local)) return null;
  const domain = personDomain(q);
  const hasAnchor = Boolean(q.email || q.linkedin_url || q.id || q.hashed_email || domain || q.organization_name);
  if (!hasAnchor) return null;
  const identity = (q.email ?? q.linkedin_url ?? q.id ?? q.hashed_email ??
    `${q.first_name ?? ""} ${q.last_name ?? ""} ${q.name ?? ""} ${domain ?? q.organization_name ?? ""}`).toLowerCase();
  const [first, last] = namesFrom(q, identity);
  const [title, seniority, departments] = pick(ROLES, identity, "role");
  const orgFound = domain && !FREEMAIL.has(domain) ? organizationOf(domain) : null;
  const slug = `${first}-${last}`.toLowerCase().normalize("NFD").replace(/[^a-z-]/g, "") || "person";
  const email = q.email ??
    (domain && /^locked-/.test(domain)
      ? `email_not_unlocked@${domain}`
      : domain && !FREEMAIL.has(domain)
      ? `${first}.${last}@${domain}`.toLowerCase().normalize("NFD").replace(/[^a-z0-9.@-]/g, "")
      : null);
  const companyName = (orgFound?.name as string | undefined) ?? q.organization_name ?? null;
  return {
    [SAMPLE_DATA_KEY]: true,
    id: fakeId("person", identity),
    first_name: first,
    last_name: last,
    name: [first, last].filter(Boolean).join(" "),
    linkedin_url: q.linkedin_url ?? `http://www.linkedin.com/in/${slug}-${hash32(identity).toString(16).slice(0, 6)}`,
    title: orgFound || companyName ? title : null,
    email_status: email && !email.startsWith("email_not_unlocked@") ? "verified" : null,
    photo_url: null,
    twitter_url: null,
    github_url: null,
    facebook_url: null,
    extrapolated_email_confidence: null,
    headline: companyName ? `${title} at ${companyName}` : null,
    email,
    organization_id: (orgFound?.id as string | undefined) ?? null,
    employment_history: companyName
      ? [{
        _id: fakeId("employment", identity),
        current: true,
        end_date: null,
        organization_id: (orgFound?.id as string | undefined) ?? null,
        organization_name: companyName,
        start_date: `${2016 + (hash32(identity, 3) % 8)}-01-01`,
        title,
      }]
      : [],
    state: (orgFound?.state as string | undefined) ?? null,
    city: (orgFound?.city as string | undefined) ?? null,
    country: (orgFound?.country as string | undefined) ?? null,
    organization: orgFound,
    departments,
    subdepartments: [],
    seniority,
    functions: departments,
    personal_emails: [],
    intent_strength: null,
    show_intent: false,
    revealed_for_current_team: true,
  };
}
