// Reading an accounts or contacts CSV (no database): records with their end offsets, the separator and the
// mapping guessed from the header, and each row validated with every problem named.
import assert from "node:assert/strict";
import { CsvEncodingError, csvRecords } from "../_shared/csv/records.ts";
import { detectSeparator, guessMapping } from "../_shared/csv/dialect.ts";
import { ACCOUNT_IMPORT_FIELDS, accountRow } from "../_shared/csv/account-rows.ts";
import { CONTACT_IMPORT_FIELDS, contactRow } from "../_shared/csv/contact-rows.ts";
import { columnIndexes } from "../_shared/csv/row-reader.ts";

function streamOf(...chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const bytes = chunks.map((c) => (typeof c === "string" ? new TextEncoder().encode(c) : c));
  return new ReadableStream({
    start(controller) {
      for (const b of bytes) controller.enqueue(b);
      controller.close();
    },
  });
}

async function records(text: string | Array<string | Uint8Array>, separator = ",", startByte = 0) {
  const out: Array<{ fields: string[]; endByte: number }> = [];
  const body = Array.isArray(text) ? streamOf(...text) : streamOf(text);
  for await (const r of csvRecords(body, { separator, startByte })) out.push(r);
  return out;
}

Deno.test("a UTF-8 BOM is not part of the first header", async () => {
  const [header] = await records("\uFEFFName,Domain\nAcme,acme.com\n");
  assert.deepEqual(header.fields, ["Name", "Domain"]);
});

Deno.test("semicolons and tabs separate as detected from the header line", async () => {
  assert.equal(detectSeparator("Name;Domain;City"), ";");
  assert.equal(detectSeparator("Name\tDomain"), "\t");
  assert.equal(detectSeparator('"Name; Inc",Domain'), ",", "a separator inside quotes does not count");
  const rows = await records("Name;Domain\nAcme;acme.com\n", ";");
  assert.deepEqual(rows[1].fields, ["Acme", "acme.com"]);
});

Deno.test("quoted fields keep their commas, quotes and newlines; empty lines are skipped", async () => {
  const text = 'Name,Notes\n"Acme, Inc","line one\nline ""two"""\n\n\nBeta,plain\n';
  const rows = await records(text);
  assert.deepEqual(rows.map((r) => r.fields), [["Name", "Notes"], ["Acme, Inc", 'line one\nline "two"'], ["Beta", "plain"]]);
});

Deno.test("ragged rows are kept as they are: missing cells read as empty, extra ones ignored", async () => {
  const rows = await records("Name,Domain,City\nShort\nLong,long.com,Oslo,extra,more\n");
  assert.deepEqual(rows[1].fields, ["Short"]);
  const headers = rows[0].fields;
  const { indexes } = columnIndexes(headers, { name: "Name", domain: "Domain", city: "City" });
  assert.deepEqual(accountRow(rows[1].fields, 2, indexes, headers), {
    row: 2, name: "Short", domain: null, industry: null, employee_count: null, city: null, state: null, country: null,
  });
  assert.equal(accountRow(rows[2].fields, 3, indexes, headers).city, "Oslo");
});

Deno.test("a field of a million characters is read whole", async () => {
  const big = "x".repeat(1_000_000);
  const rows = await records(`Name,Notes\nAcme,"${big}"\n`);
  assert.equal(rows[1].fields[1].length, 1_000_000);
});

Deno.test("each record says the byte it ends at, so an import resumes from there", async () => {
  const text = "Name\nÅland Co\nBeta\n";
  const rows = await records(text);
  const bytes = new TextEncoder().encode(text);
  assert.equal(rows.at(-1)!.endByte, bytes.length);
  const resumed = await records([bytes.subarray(rows[1].endByte)], ",", rows[1].endByte);
  assert.deepEqual(resumed.map((r) => r.fields), [["Beta"]]);
  assert.equal(resumed[0].endByte, bytes.length);
});

Deno.test("records split across chunks, inside a quoted field too", async () => {
  const rows = await records(['Name,Notes\nAc', 'me,"a,', 'b"\nBe', "ta,c\n"]);
  assert.deepEqual(rows.slice(1).map((r) => r.fields), [["Acme", "a,b"], ["Beta", "c"]]);
});

Deno.test("bytes that are not UTF-8 stop the file with a clear error", async () => {
  const latin1 = new Uint8Array([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e, 0x0a]); // "Name\nM\xfcnchen\n"
  await assert.rejects(() => records([latin1]), CsvEncodingError);
});

Deno.test("the mapping is guessed from common headers, each column used once", () => {
  assert.deepEqual(guessMapping(["Company Name", "Website", "Employees", "Country", "Notes"], ACCOUNT_IMPORT_FIELDS), {
    name: "Company Name", domain: "Website", employee_count: "Employees", country: "Country",
  });
  assert.deepEqual(guessMapping(["Foo", "Bar"], ACCOUNT_IMPORT_FIELDS), {});
  // a contacts file: the company's website is the account's domain, its name is for a new account
  assert.deepEqual(guessMapping(["Email Address", "First Name", "Last Name", "Company", "Website", "Phone"], CONTACT_IMPORT_FIELDS), {
    email: "Email Address", first_name: "First Name", last_name: "Last Name", account_name: "Company", account_domain: "Website", phone: "Phone",
  });
});

Deno.test("rows are validated with the product's rules, every problem named", () => {
  const headers = ["Company", "Website", "Employees"];
  const { indexes, missing } = columnIndexes(headers, { name: "Company", domain: "Website", employee_count: "Employees", city: "Town" });
  assert.deepEqual(missing, ["Town"]);
  assert.deepEqual(accountRow(["Acme", "https://www.Acme.com/about", "1,200"], 2, indexes, headers), {
    row: 2, name: "Acme", domain: "acme.com", industry: null, employee_count: 1200, city: null, state: null, country: null,
  });
  assert.deepEqual(accountRow(["", "acme-.com", "lots"], 3, indexes, headers).errors, [
    { column_name: "Company", value: "", reason: "a name is required" },
    { column_name: "Website", value: "acme-.com", reason: "not a website domain (like acme.com)" },
    { column_name: "Employees", value: "lots", reason: "not a whole number of employees" },
  ]);
  assert.equal(accountRow(["x".repeat(201), "", ""], 4, indexes, headers).errors?.[0].reason, "longer than 200 characters");
});

Deno.test("contact rows: the email rule (lower-cased, required), the domain rule for the company", () => {
  const headers = ["Email", "First", "Website"];
  const { indexes } = columnIndexes(headers, { email: "Email", first_name: "First", account_domain: "Website" });
  assert.deepEqual(contactRow([" Ana@Acme.COM ", "Ana", "https://www.acme.com/"], 2, indexes, headers), {
    row: 2, email: "ana@acme.com", first_name: "Ana", last_name: null, title: null, phone: null, linkedin_url: null,
    city: null, state: null, country: null, account_domain: "acme.com", account_name: null,
  });
  assert.deepEqual(contactRow(["ana@", "Ana", "acme-.com"], 3, indexes, headers).errors, [
    { column_name: "Email", value: "ana@", reason: "not an email address (like ana@acme.com)" },
    { column_name: "Website", value: "acme-.com", reason: "not a website domain (like acme.com)" },
  ]);
  assert.deepEqual(contactRow(["", "Bo", ""], 4, indexes, headers).errors, [
    { column_name: "Email", value: "", reason: "an email is required (contacts are matched by it)" },
  ]);
});
