import { describe, expect, it } from "vitest";
import { CsvPreviewError, MAX_FILE_BYTES, PREVIEW_BYTES, previewBytes, readPreview, wholeRecords } from "./parse";

const bytes = (text: string) => new TextEncoder().encode(text);

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CsvPreviewError);
    return (error as CsvPreviewError).problem;
  }
  throw new Error("no error thrown");
}

describe("previewBytes", () => {
  it("reads a comma-separated file with quoted commas, quotes and newlines", () => {
    const preview = previewBytes(bytes('Company,Website,City\n"Acme, Inc.",acme.com,"New\nYork"\n"The ""Best"" Co",best.example,Paris\n'), true);
    expect(preview.separator).toBe(",");
    expect(preview.headers).toEqual(["Company", "Website", "City"]);
    expect(preview.records).toEqual([
      ["Acme, Inc.", "acme.com", "New\nYork"],
      ['The "Best" Co', "best.example", "Paris"],
    ]);
    expect(preview.partial).toBe(false);
  });

  it("detects semicolons and tabs, and trims the headers as the worker does", () => {
    expect(previewBytes(bytes("name; domain\nAcme;acme.com\n"), true)).toMatchObject({ separator: ";", headers: ["name", "domain"] });
    expect(previewBytes(bytes("name\tdomain\r\nAcme\tacme.com\r\n"), true)).toMatchObject({
      separator: "\t",
      records: [["Acme", "acme.com"]],
    });
  });

  it("drops a UTF-8 BOM and keeps accents", () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("Name,City\nCafé Noir,Zürich\n")]);
    const preview = previewBytes(withBom, true);
    expect(preview.headers).toEqual(["Name", "City"]);
    expect(preview.records[0]).toEqual(["Café Noir", "Zürich"]);
  });

  it("skips empty lines and keeps ragged rows", () => {
    const preview = previewBytes(bytes("name,domain\n\nAcme\nBeta,beta.example,extra\n"), true);
    expect(preview.records).toEqual([["Acme"], ["Beta", "beta.example", "extra"]]);
  });

  it("refuses bytes that are not UTF-8 with one clear message", () => {
    const latin1 = new Uint8Array([...bytes("name,city\nCaf"), 0xe9, ...bytes(",Paris\n")]);
    expect(problemOf(() => previewBytes(latin1, true))).toBe("encoding");
    expect(() => previewBytes(latin1, true)).toThrow(/not UTF-8/);
  });

  it("says so when the file is empty or has no usable column", () => {
    expect(problemOf(() => previewBytes(bytes(""), true))).toBe("empty");
    expect(problemOf(() => previewBytes(bytes("\uFEFF\n\n"), true))).toBe("empty");
    expect(problemOf(() => previewBytes(bytes(",,\n1,2,3\n"), true))).toBe("no-columns");
    expect(() => previewBytes(bytes(" , \n1,2\n"), true)).toThrow("This file has no usable column");
  });

  it("says so when a quote is never closed", () => {
    expect(problemOf(() => previewBytes(bytes('name,domain\n"Acme,acme.com\n'), true))).toBe("invalid");
  });

  it("of a file's first bytes, leaves out a record and a character cut at the end", () => {
    // "é" is two bytes; cut between them, and inside a quoted field with a newline
    const text = 'name,city\nAcme,Paris\n"Beta\nCo",Café';
    const head = bytes(text).slice(0, -1);
    const preview = previewBytes(head, false);
    expect(preview.records).toEqual([["Acme", "Paris"]]);
    expect(preview.partial).toBe(true);
  });
});

describe("wholeRecords", () => {
  it("ends at the last newline outside quotes", () => {
    expect(wholeRecords('a,b\n1,"x\ny')).toBe("a,b\n");
    expect(wholeRecords('a,b\n1,"x\ny"\n2')).toBe('a,b\n1,"x\ny"\n');
    expect(wholeRecords("a,b")).toBe("");
  });
});

describe("readPreview", () => {
  it("reads only the first 64 KB of a long file", async () => {
    const row = "Company Name,company.example,Somewhere\n";
    const text = `name,domain,city\n${row.repeat(Math.ceil((PREVIEW_BYTES * 2) / row.length))}`;
    const preview = await readPreview(new File([text], "long.csv", { type: "text/csv" }));
    expect(preview.partial).toBe(true);
    expect(preview.records.length).toBe(Math.floor((PREVIEW_BYTES - "name,domain,city\n".length) / row.length));
    expect(preview.records.every((r) => r.length === 3)).toBe(true);
  });

  it("refuses a file over 50 MB before reading it", async () => {
    const big = { size: MAX_FILE_BYTES + 1, slice: () => { throw new Error("read"); } } as unknown as Blob;
    await expect(readPreview(big)).rejects.toThrow(/up to 50 MB/);
  });
});
