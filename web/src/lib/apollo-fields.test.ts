import { describe, expect, it } from "vitest";
import { apolloAccountFields, apolloContactFields, apolloEnrichedAt } from "./apollo-fields";

describe("apolloAccountFields", () => {
  it("marks the columns Apollo's organization had values for", () => {
    const fields = apolloAccountFields({
      apollo: {
        id: "mock-org-123",
        industry: "Technology",
        estimated_num_employees: 50,
        city: "San Francisco",
        state: "CA",
        country: "USA",
        website_url: "https://stripe.com",
        linkedin_url: "https://linkedin.com/company/stripe.com",
        annual_revenue: null,
        short_description: "  ",
        primary_phone: { number: "+1 555 0100" },
      },
      apollo_enriched_at: "2026-11-29T10:00:00Z",
    });
    expect([...fields].sort()).toEqual(
      ["city", "country", "employee_count", "industry", "linkedin_url", "phone", "state", "website_url"].sort(),
    );
  });

  it("is empty for accounts never enriched", () => {
    expect(apolloAccountFields({}).size).toBe(0);
    expect(apolloAccountFields(null).size).toBe(0);
    expect(apolloAccountFields({ apollo: "not an object" }).size).toBe(0);
    expect(apolloEnrichedAt({})).toBeNull();
    expect(apolloEnrichedAt({ apollo_enriched_at: "2026-11-29T10:00:00Z" })).toBe("2026-11-29T10:00:00Z");
  });

  it("skips Apollo's locked email placeholder for contacts", () => {
    const fields = apolloContactFields({ apollo: { title: "Software Engineer", email: "email_not_unlocked@domain.com" } });
    expect(fields.has("title")).toBe(true);
    expect(fields.has("email")).toBe(false);
  });
});
