import { parse } from "csv-parse/browser/esm/sync";
import { describe, expect, it } from "vitest";
import { csvField, errorsCsv, errorsFileName, escapeFormula } from "./errors-csv";

describe("escapeFormula", () => {
  it("puts a quote before a value a spreadsheet would run as a formula", () => {
    for (const value of ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) {
      expect(escapeFormula(value)).toBe(`'${value}`);
    }
  });

  it("leaves other values alone", () => {
    for (const value of ["acme.com", "", "a=b", "1-2", " =x", "'quoted"]) expect(escapeFormula(value)).toBe(value);
  });
});

describe("csvField", () => {
  it("quotes what needs quotes and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvField("=1,2")).toBe(`"'=1,2"`);
  });
});

describe("errorsCsv", () => {
  it("is a CSV with a header, one line per error, formula-safe, read back the same", () => {
    const text = errorsCsv([
      { row_number: 3, column_name: "Company", value: "", reason: "a name is required" },
      { row_number: 4, column_name: "Website", value: "=cmd|' /C calc'!A0", reason: "not a website domain (like acme.com)" },
      { row_number: 5, column_name: "Employees", value: "-12", reason: "not a whole number of employees" },
      { row_number: 6, column_name: "@Notes", value: null, reason: "x, \"y\"\nz" },
    ]);
    expect(text.startsWith("\uFEFFrow,column,value,reason\r\n")).toBe(true);
    expect(text).toContain(`4,Website,'=cmd|' /C calc'!A0,not a website domain (like acme.com)\r\n`);
    const records = parse(text, { bom: true }) as string[][];
    expect(records).toEqual([
      ["row", "column", "value", "reason"],
      ["3", "Company", "", "a name is required"],
      ["4", "Website", "'=cmd|' /C calc'!A0", "not a website domain (like acme.com)"],
      ["5", "Employees", "'-12", "not a whole number of employees"],
      ["6", "'@Notes", "", 'x, "y"\nz'],
    ]);
    // no cell of the file starts a formula
    for (const cell of records.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("names the download after the imported file", () => {
    expect(errorsFileName("My accounts.csv")).toBe("My_accounts-errors.csv");
    expect(errorsFileName("../x.tsv")).toBe(".._x-errors.csv");
  });
});
