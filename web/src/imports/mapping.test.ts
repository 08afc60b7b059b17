import { describe, expect, it } from "vitest";
import { guessMapping, mappingForImport, mappingProblems, previewRows, previewSummary, rowProblems, setField } from "./mapping";

const headers = ["Company", "Website", "Employees", "Town", "Country", "Notes"];

describe("the mapping", () => {
  it("is guessed from the headers (dialect.ts, the worker's)", () => {
    expect(guessMapping(headers)).toEqual({ name: "Company", domain: "Website", employee_count: "Employees", city: "Town", country: "Country" });
    expect(guessMapping(["ACCOUNT NAME ", "url"])).toEqual({ name: "ACCOUNT NAME ", domain: "url" });
  });

  it("changes one field at a time; an empty choice leaves the field out", () => {
    const guessed = guessMapping(headers);
    const changed = setField(setField(guessed, "industry", "Notes"), "city", "");
    expect(changed).toEqual({ name: "Company", domain: "Website", employee_count: "Employees", country: "Country", industry: "Notes" });
    expect(guessed.city).toBe("Town"); // not changed in place
    expect(mappingForImport({ ...changed, state: "" })).toEqual(changed);
  });

  it("needs a name column, columns of the file, and each column once", () => {
    expect(mappingProblems({ name: "Company" }, headers)).toEqual([]);
    expect(mappingProblems({ domain: "Website" }, headers)).toEqual(["Choose the column that holds the account's name."]);
    expect(mappingProblems({ name: "Nope" }, headers)).toEqual(['The file has no column named "Nope".']);
    expect(mappingProblems({ name: "Company", city: "Company" }, headers)).toEqual([
      'The column "Company" is chosen for Name and City: choose it once.',
    ]);
  });
});

describe("the previewed rows", () => {
  const records = [
    ["Acme", "https://www.acme.example/about", "1,200", "Berlin", "DE", ""],
    ["", "nameless.example", "", "", "", ""],
    ["Bad Domain", "not a domain", "lots", "", "", ""],
    ["Acme again", "acme.example", "", "", "", ""],
  ];

  it("are validated as the worker validates them (account-rows.ts), numbered from row 2", () => {
    const rows = previewRows(headers, records, guessMapping(headers));
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5]);
    expect(rows[0].parsed).toMatchObject({ name: "Acme", domain: "acme.example", employee_count: 1200, city: "Berlin" });
    expect(rowProblems(rows[0])).toEqual([]);
    expect(rowProblems(rows[1])).toEqual(["Company: a name is required"]);
    expect(rowProblems(rows[2])).toEqual(["Website: not a website domain (like acme.com)", "Employees: not a whole number of employees"]);
    expect(rows[3].duplicateOf).toBe(2);
    expect(previewSummary(rows)).toEqual({ total: 4, failing: 2, duplicates: 1, good: 1 });
  });

  it("follow the mapping: a column left out is not checked", () => {
    const rows = previewRows(headers, records, { name: "Company" });
    expect(rows.map((r) => rowProblems(r).length)).toEqual([0, 1, 0, 0]);
    expect(rows[3].duplicateOf).toBeNull();
  });
});

describe("a contacts mapping", () => {
  const people = ["E-mail", "First Name", "Surname", "Job title", "Company", "Company domain"];

  it("is guessed from the headers, and needs an email", () => {
    expect(guessMapping(people, "contacts")).toEqual({
      email: "E-mail", first_name: "First Name", last_name: "Surname", title: "Job title", account_name: "Company", account_domain: "Company domain",
    });
    expect(mappingProblems({ first_name: "First Name" }, people, "contacts")).toEqual([
      "Choose the column that holds the contact's email (contacts are matched by it).",
    ]);
  });

  it("previews rows as the worker reads them: emails lower-cased, duplicates by email", () => {
    const rows = previewRows(people, [
      ["Ana@Acme.example", "Ana", "Lopez", "CTO", "Acme", "https://acme.example"],
      ["", "Bo", "", "", "", ""],
      ["ana@acme.example", "Ana", "", "", "", "bad domain"],
      ["ana@acme.example", "Ana", "", "", "", ""],
    ], guessMapping(people, "contacts"), "contacts");
    expect(rows[0].parsed).toMatchObject({ email: "ana@acme.example", account_domain: "acme.example", account_name: "Acme" });
    expect(rowProblems(rows[1])).toEqual(["E-mail: an email is required (contacts are matched by it)"]);
    expect(rowProblems(rows[2])).toEqual(["Company domain: not a website domain (like acme.com)"]);
    expect(rows[3].duplicateOf).toBe(2);
    expect(previewSummary(rows)).toEqual({ total: 4, failing: 2, duplicates: 1, good: 1 });
  });
});
