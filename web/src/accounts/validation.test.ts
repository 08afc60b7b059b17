import { describe, expect, it } from "vitest";
import { EMPTY_ACCOUNT_FORM, hasErrors, normalizeDomain, toAccountInsert, validateAccountForm } from "./validation";

const form = (values: Partial<typeof EMPTY_ACCOUNT_FORM>) => ({ ...EMPTY_ACCOUNT_FORM, ...values });

describe("account form validation", () => {
  it("requires a name", () => {
    expect(validateAccountForm(form({})).name).toBe("Enter the company's name.");
    expect(validateAccountForm(form({ name: "   " })).name).toBe("Enter the company's name.");
    expect(validateAccountForm(form({ name: "x".repeat(201) })).name).toMatch(/200/);
    expect(hasErrors(validateAccountForm(form({ name: "Acme" })))).toBe(false);
  });

  it("stores domains bare, like the database does", () => {
    expect(normalizeDomain("https://www.Acme.com/about?x=1")).toBe("acme.com");
    expect(normalizeDomain("ACME.io")).toBe("acme.io");
    expect(normalizeDomain("http://sub.acme.co.uk:8080")).toBe("sub.acme.co.uk");
  });

  it("rejects domains the database would refuse", () => {
    expect(validateAccountForm(form({ name: "A", domain: "acme" })).domain).toMatch(/acme\.com/);
    expect(validateAccountForm(form({ name: "A", domain: "acme_corp.com" })).domain).toBeDefined();
    expect(validateAccountForm(form({ name: "A", domain: "-acme.com" })).domain).toBeDefined();
    expect(validateAccountForm(form({ name: "A", domain: "https://www.acme.com/" })).domain).toBeUndefined();
  });

  it("wants whole employee numbers", () => {
    expect(validateAccountForm(form({ name: "A", employee_count: "12.5" })).employee_count).toMatch(/whole number/);
    expect(validateAccountForm(form({ name: "A", employee_count: "-3" })).employee_count).toBeDefined();
    expect(validateAccountForm(form({ name: "A", employee_count: "1,200" })).employee_count).toBeUndefined();
  });

  it("builds the insert", () => {
    expect(
      toAccountInsert(form({ name: " Acme ", domain: "https://www.acme.com", employee_count: "1,200", city: "" }), "ws-1"),
    ).toEqual({
      workspace_id: "ws-1",
      name: "Acme",
      domain: "acme.com",
      industry: null,
      employee_count: 1200,
      city: null,
      country: null,
    });
  });
});
