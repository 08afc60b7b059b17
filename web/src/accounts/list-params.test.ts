import { describe, expect, it } from "vitest";
import { clampPage, normalizeSearch, pageCount, pageRange, parseListParams, searchFilter, toSearchParams } from "./list-params";

describe("accounts list params", () => {
  it("reads ?q= and ?page= with safe defaults", () => {
    expect(parseListParams(new URLSearchParams(""))).toEqual({ search: "", page: 1 });
    expect(parseListParams(new URLSearchParams("q=stripe&page=3"))).toEqual({ search: "stripe", page: 3 });
    expect(parseListParams(new URLSearchParams("page=0"))).toEqual({ search: "", page: 1 });
    expect(parseListParams(new URLSearchParams("page=abc"))).toEqual({ search: "", page: 1 });
    expect(parseListParams(new URLSearchParams(`q=${"x".repeat(300)}`)).search).toHaveLength(100);
  });

  it("writes only what differs from the defaults", () => {
    expect(toSearchParams({ search: "", page: 1 }).toString()).toBe("");
    expect(toSearchParams({ search: " figma ", page: 2 }).toString()).toBe("q=figma&page=2");
  });

  it("turns pages into inclusive ranges", () => {
    expect(pageRange(1, 10)).toEqual([0, 9]);
    expect(pageRange(2, 10)).toEqual([10, 19]);
    expect(pageRange(0, 10)).toEqual([0, 9]);
  });

  it("counts pages and clamps a page past the end", () => {
    expect(pageCount(0, 10)).toBe(1);
    expect(pageCount(12, 10)).toBe(2);
    expect(pageCount(20, 10)).toBe(2);
    expect(clampPage(5, 12, 10)).toBe(2);
    expect(clampPage(1, 0, 10)).toBe(1);
  });

  it("builds an or() filter over name and domain, stripping PostgREST syntax", () => {
    expect(searchFilter("")).toBeNull();
    expect(searchFilter("   ")).toBeNull();
    expect(searchFilter("stripe.com")).toBe("name.ilike.*stripe.com*,domain.ilike.*stripe.com*");
    expect(normalizeSearch('a,b(c)"d\\e:f*g%h')).toBe("a b c d e f g h");
    expect(searchFilter(",()")).toBeNull();
  });
});
