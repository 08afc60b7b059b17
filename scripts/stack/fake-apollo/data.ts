// Deterministic fake Apollo records: well-known domains get plausible real-world firmographics, any other
// domain gets generated but stable data (the same domain always yields the same record), people are derived
// from their email / name / LinkedIn URL. Shapes follow Apollo's organization and person objects.
import { SAMPLE_DATA_KEY } from "../../../supabase/functions/_shared/apollo/sample-data.ts";
import type { PersonMatchRequest } from "../../../supabase/functions/_shared/apollo/types.ts";

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

/** Plausible, public-knowledge figures (rounded; Apollo's own numbers are estimates too). */
// deno-fmt-ignore
export const KNOWN_COMPANIES: Readonly<Record<string, Firmographics>> = {
  "stripe.com": {
    name: "Stripe", industry: "financial services", employees: 8000, founded: 2010, city: "South San Francisco",
    state: "California", country: US, postal: "94080", street: "354 Oyster Point Blvd", revenue: 3_500_000_000,
    funding: 9_400_000_000, fundingStage: "Series I", fundingDate: "2023-03-15T00:00:00.000+00:00", linkedin: "stripe",
    twitter: "stripe", description: "Stripe is a financial infrastructure platform for businesses: payments, billing and more.",
    keywords: ["payments", "fintech", "billing", "api"], technologies: ["AWS", "Ruby On Rails", "React", "Cloudflare"],
  },
  "notion.so": {
    name: "Notion", industry: "computer software", employees: 800, founded: 2013, city: "San Francisco",
    state: "California", country: US, postal: "94110", street: "2300 Harrison St", revenue: 250_000_000,
    funding: 343_000_000, fundingStage: "Series C", fundingDate: "2021-10-08T00:00:00.000+00:00", linkedin: "notionhq",
    twitter: "NotionHQ", description: "Notion is the connected workspace where better, faster work happens.",
    keywords: ["productivity", "collaboration", "notes", "wiki"], technologies: ["AWS", "React", "Postgres", "Segment"],
  },
  "figma.com": {
    name: "Figma", industry: "computer software", employees: 1600, founded: 2012, city: "San Francisco",
    state: "California", country: US, postal: "94102", street: "760 Market St", revenue: 600_000_000,
    funding: 333_000_000, fundingStage: "Series E", fundingDate: "2021-06-24T00:00:00.000+00:00", linkedin: "figma",
    twitter: "figma", description: "Figma is the collaborative interface design tool.",
    keywords: ["design", "prototyping", "collaboration", "ui"], technologies: ["AWS", "React", "WebAssembly", "Sentry"],
  },
  "linear.app": {
    name: "Linear", industry: "computer software", employees: 100, founded: 2019, city: "San Francisco",
    state: "California", country: US, postal: "94107", street: null, revenue: 30_000_000, funding: 52_000_000,
    fundingStage: "Series B", fundingDate: "2023-09-14T00:00:00.000+00:00", linkedin: "linearapp", twitter: "linear",
    description: "Linear is a purpose-built tool for planning and building products.",
    keywords: ["issue tracking", "project management", "software development"],
    technologies: ["Google Cloud", "React", "Postgres", "Vercel"],
  },
  "vercel.com": {
    name: "Vercel", industry: "internet", employees: 600, founded: 2015, city: "San Francisco", state: "California",
    country: US, postal: "94105", street: null, revenue: 100_000_000, funding: 563_000_000, fundingStage: "Series E",
    fundingDate: "2024-05-16T00:00:00.000+00:00", linkedin: "vercel", twitter: "vercel",
    description: "Vercel provides the developer tools and cloud infrastructure to build and deploy the web.",
    keywords: ["frontend cloud", "next.js", "hosting", "serverless"], technologies: ["AWS", "Next.js", "React", "Go"],
  },
  "supabase.com": {
    name: "Supabase", industry: "computer software", employees: 150, founded: 2020, city: "San Francisco",
    state: "California", country: US, postal: "94107", street: null, revenue: 20_000_000, funding: 116_000_000,
    fundingStage: "Series C", fundingDate: "2022-05-10T00:00:00.000+00:00", linkedin: "supabase", twitter: "supabase",
    description: "Supabase is an open source Firebase alternative built on Postgres.",
    keywords: ["postgres", "database", "open source", "backend as a service"],
    technologies: ["AWS", "Postgres", "Elixir", "Deno"],
  },
  "airtable.com": {
    name: "Airtable", industry: "computer software", employees: 900, founded: 2012, city: "San Francisco",
    state: "California", country: US, postal: "94103", street: "799 Market St", revenue: 375_000_000,
    funding: 1_360_000_000, fundingStage: "Series F", fundingDate: "2021-12-13T00:00:00.000+00:00",
    linkedin: "airtable", twitter: "airtable", description: "Airtable is a connected apps platform for building workflows.",
    keywords: ["low-code", "database", "spreadsheet", "workflow"], technologies: ["AWS", "React", "Node.js", "MySQL"],
  },
  "hubspot.com": {
    name: "HubSpot", industry: "computer software", employees: 7600, founded: 2005, city: "Cambridge",
    state: "Massachusetts", country: US, postal: "02141", street: "2 Canal Park", revenue: 2_170_000_000,
    funding: 100_500_000, fundingStage: "IPO", fundingDate: "2014-10-09T00:00:00.000+00:00", symbol: "HUBS",
    exchange: "nyse", linkedin: "hubspot", twitter: "HubSpot",
    description: "HubSpot is a customer platform with software for marketing, sales and customer service.",
    keywords: ["crm", "inbound marketing", "sales software", "customer service"],
    technologies: ["AWS", "Java", "React", "MySQL"],
  },
  "gong.io": {
    name: "Gong", industry: "computer software", employees: 1200, founded: 2015, city: "San Francisco",
    state: "California", country: US, postal: "94105", street: null, revenue: 200_000_000, funding: 584_000_000,
    fundingStage: "Series E", fundingDate: "2021-06-01T00:00:00.000+00:00", linkedin: "gong-io", twitter: "gongio",
    description: "Gong is the revenue intelligence platform that captures customer interactions.",
    keywords: ["revenue intelligence", "conversation intelligence", "sales"],
    technologies: ["AWS", "Java", "React", "Salesforce"],
  },
  "segment.com": {
    name: "Segment", industry: "internet", employees: 500, founded: 2011, city: "San Francisco", state: "California",
    country: US, postal: "94107", street: null, revenue: 100_000_000, funding: 284_000_000, fundingStage: "Acquired",
    fundingDate: "2020-11-02T00:00:00.000+00:00", linkedin: "segment-io", twitter: "segment",
    description: "Segment, a Twilio company, is a customer data platform.",
    keywords: ["customer data platform", "analytics", "data infrastructure"],
    technologies: ["AWS", "Go", "Kafka", "React"],
  },
  "intercom.com": {
    name: "Intercom", industry: "internet", employees: 1000, founded: 2011, city: "San Francisco",
    state: "California", country: US, postal: "94105", street: "55 2nd St", revenue: 250_000_000,
    funding: 241_000_000, fundingStage: "Series D", fundingDate: "2018-03-20T00:00:00.000+00:00",
    linkedin: "intercom", twitter: "intercom", description: "Intercom is the AI-first customer service platform.",
    keywords: ["customer service", "messaging", "support", "ai"], technologies: ["AWS", "Ruby On Rails", "Ember.js", "MySQL"],
  },
  "zapier.com": {
    name: "Zapier", industry: "internet", employees: 800, founded: 2011, city: "San Francisco", state: "California",
    country: US, postal: "94104", street: null, revenue: 140_000_000, funding: 1_400_000, fundingStage: "Seed",
    fundingDate: "2012-10-01T00:00:00.000+00:00", linkedin: "zapier", twitter: "zapier",
    description: "Zapier connects apps and automates workflows without code.",
    keywords: ["automation", "integrations", "no-code", "workflow"], technologies: ["AWS", "Python", "Django", "React"],
  },
  "shopify.com": {
    name: "Shopify", industry: "internet", employees: 8300, founded: 2006, city: "Ottawa", state: "Ontario",
    country: "Canada", postal: "K2P 2L8", street: "151 O'Connor St", revenue: 7_060_000_000, funding: 122_000_000,
    fundingStage: "IPO", fundingDate: "2015-05-21T00:00:00.000+00:00", symbol: "SHOP", exchange: "nyse",
    linkedin: "shopify", twitter: "Shopify", description: "Shopify is a commerce platform for businesses of every size.",
    keywords: ["ecommerce", "retail", "point of sale", "payments"], technologies: ["Google Cloud", "Ruby On Rails", "React", "MySQL"],
  },
  "atlassian.com": {
    name: "Atlassian", industry: "computer software", employees: 11000, founded: 2002, city: "Sydney",
    state: "New South Wales", country: "Australia", postal: "2000", street: "341 George St", revenue: 4_360_000_000,
    funding: 210_000_000, fundingStage: "IPO", fundingDate: "2015-12-10T00:00:00.000+00:00", symbol: "TEAM",
    exchange: "nasdaq", linkedin: "atlassian", twitter: "Atlassian",
    description: "Atlassian builds team collaboration and productivity software such as Jira and Confluence.",
    keywords: ["collaboration", "project management", "devops", "itsm"], technologies: ["AWS", "Java", "React", "Postgres"],
  },
  "canva.com": {
    name: "Canva", industry: "internet", employees: 4000, founded: 2012, city: "Sydney", state: "New South Wales",
    country: "Australia", postal: "2010", street: "110 Kippax St", revenue: 2_300_000_000, funding: 572_000_000,
    fundingStage: "Series F", fundingDate: "2021-09-14T00:00:00.000+00:00", linkedin: "canva", twitter: "canva",
    description: "Canva is an online visual communication and design platform.",
    keywords: ["design", "graphic design", "presentations", "marketing"], technologies: ["AWS", "Java", "React", "MySQL"],
  },
  "apollo.io": {
    name: "Apollo.io", industry: "information technology & services", employees: 1000, founded: 2015,
    city: "San Francisco", state: "California", country: US, postal: "94105", street: null, revenue: 150_000_000,
    funding: 251_000_000, fundingStage: "Series D", fundingDate: "2023-08-29T00:00:00.000+00:00",
    linkedin: "apolloio", twitter: "MeetApollo", description: "Apollo.io is a sales intelligence and engagement platform.",
    keywords: ["sales intelligence", "b2b data", "sales engagement"], technologies: ["Google Cloud", "Ruby On Rails", "React", "MongoDB"],
  },
};

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
