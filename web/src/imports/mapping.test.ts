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
    expect(rows[0].account).toMatchObject({ name: "Acme", domain: "acme.example", employee_count: 1200, city: "Berlin" });
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
