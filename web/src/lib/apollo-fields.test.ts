import { describe, expect, it } from "vitest";
import { apolloEnrichedAt, fieldSource, isSampleEnrichment, lastEnrichment } from "./apollo-fields";

describe("fieldSource", () => {
  it("reads who set a column, and nothing for unknown or missing entries", () => {
    const sources = { country: { source: "user" as const, at: "2026-12-05T10:00:00Z" }, industry: { source: "apollo" as const, at: "2026-12-05T11:00:00Z" } };
    expect(fieldSource(sources, "country")?.source).toBe("user");
    expect(fieldSource(sources, "industry")?.source).toBe("apollo");
    expect(fieldSource(sources, "city")).toBeNull();
    expect(fieldSource({ city: { source: "robot" as never, at: "x" } }, "city")).toBeNull();
    expect(fieldSource(null, "city")).toBeNull();
  });
});

describe("lastEnrichment", () => {
  it("lists what changed and what was kept", () => {
    const last = lastEnrichment({
      last_enrichment: {
        at: "2026-12-05T11:00:00Z",
        job_id: "job-1",
        changed: { industry: { old: null, new: "Software" } },
        kept: { country: { value: "United States", apollo: "USA" } },
      },
    });
    expect(last).toEqual({
      at: "2026-12-05T11:00:00Z",
      jobId: "job-1",
      changed: [{ column: "industry", old: null, new: "Software" }],
      kept: [{ column: "country", value: "United States", apollo: "USA" }],
    });
  });

  it("is null for records never enriched since sources were kept", () => {
    expect(lastEnrichment({})).toBeNull();
    expect(lastEnrichment(null)).toBeNull();
    expect(lastEnrichment({ last_enrichment: "nope" })).toBeNull();
    expect(apolloEnrichedAt({})).toBeNull();
    expect(apolloEnrichedAt({ apollo_enriched_at: "2026-11-29T10:00:00Z" })).toBe("2026-11-29T10:00:00Z");
  });
});

describe("isSampleEnrichment", () => {
  it("is true only for records our stand-ins made up", () => {
    expect(isSampleEnrichment({ apollo: { id: "org", x_sample_data: true } })).toBe(true);
    expect(isSampleEnrichment({ apollo: { id: "org" } })).toBe(false);
    expect(isSampleEnrichment({})).toBe(false);
  });
});
