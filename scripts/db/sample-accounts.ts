// supabase/sample-accounts.csv: 1,000 made-up companies to try the CSV import with (the SPA's
// /accounts/import names it). Every domain is <word>-<word>.example (the reserved .example TLD:
// nobody's company), a few rows are bad (no name, a website that is no domain, employees that are
// no number, a formula-looking value) and a few repeat an earlier company's domain, so an import of
// it shows created, skipped and failed rows. Deterministic: the same file on every run.
//   deno run -A scripts/db/sample-accounts.ts           write it
//   deno run -A scripts/db/sample-accounts.ts --check   check the committed file is this script's
// (sample_files_test.ts checks both sample files in npm test)
import { repoRoot } from "../stack/config.ts";
import { writeOrCheck } from "./generated-file.ts";

export const SAMPLE_FILE = `${repoRoot}/supabase/sample-accounts.csv`;
export const SAMPLE_ROWS = 1000;

const FIRST = [
  "amber", "arbor", "atlas", "aurora", "birch", "blue", "bold", "brisk", "bright", "cedar", "cinder", "civic", "clear", "cobalt",
  "comet", "copper", "coral", "crest", "crisp", "delta", "drift", "echo", "ember", "fable", "fern", "field", "flint", "fox",
  "frost", "gale", "glade", "golden", "granite", "grove", "harbor", "hazel", "helix", "indigo", "iron", "ivy", "jade", "juniper",
  "kestrel", "lark", "ledger", "lumen", "maple", "meadow", "mint", "nimbus", "north", "oak", "onyx", "orbit", "pine", "pixel",
  "plume", "prism", "quartz", "quill", "raven", "ridge", "river", "sage", "silver", "slate", "solar", "spruce", "stone", "summit",
  "swift", "tidal", "timber", "topaz", "true", "umber", "vale", "vivid", "willow", "zephyr",
];
const SECOND = [
  "analytics", "apps", "bakery", "bio", "bridge", "cloud", "code", "data", "design", "dynamics", "energy", "engines", "foods",
  "forge", "freight", "goods", "grid", "health", "homes", "industries", "labs", "learning", "logic", "logistics", "machines",
  "media", "metrics", "mobility", "motors", "networks", "partners", "pay", "robotics", "security", "signal", "software",
  "solutions", "studio", "supply", "systems", "telecom", "textiles", "tools", "travel", "ventures", "works",
];
const INDUSTRIES = [
  "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Logistics", "Education", "Media", "Energy",
  "Food & Beverage", "Real Estate", "Telecommunications",
];
const PLACES: Array<[string, string, string]> = [
  ["Austin", "TX", "United States"], ["Boston", "MA", "United States"], ["Chicago", "IL", "United States"],
  ["Denver", "CO", "United States"], ["Seattle", "WA", "United States"], ["San Francisco", "CA", "United States"],
  ["New York", "NY", "United States"], ["Toronto", "ON", "Canada"], ["Vancouver", "BC", "Canada"], ["London", "", "United Kingdom"],
  ["Manchester", "", "United Kingdom"], ["Berlin", "", "Germany"], ["München", "Bayern", "Germany"], ["Paris", "", "France"],
  ["Lyon", "", "France"], ["Amsterdam", "", "Netherlands"], ["Stockholm", "", "Sweden"], ["São Paulo", "SP", "Brazil"],
  ["Sydney", "NSW", "Australia"], ["Singapore", "", "Singapore"], ["Bengaluru", "Karnataka", "India"], ["Tokyo", "", "Japan"],
];
const SUFFIXES = ["", "", "", " Inc.", " Ltd", " GmbH", " & Co", ", LLC"];

/** mulberry32: a small seeded generator, so the file is the same on every run. */
export function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const title = (word: string) => word[0].toUpperCase() + word.slice(1);

/** One CSV field, quoted when it must be. */
export function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The sample file's companies that import cleanly: name and domain, in file order. */
export function sampleCompanies(): Array<{ name: string; domain: string }> {
  return sampleRows().good.map(([name, domain]) => ({ name, domain }));
}

export function sampleAccountsCsv(): string {
  const header = ["Company", "Website", "Industry", "Employees", "City", "State", "Country"];
  return [header, ...sampleRows().rows].map((r) => r.map(field).join(",")).join("\n") + "\n";
}

/**
 * A few bad rows, at fixed places (the file's row numbers): no name, a website that is no domain,
 * employees that are no number, a formula.
 */
const BAD_ROWS = new Map<number, string[]>([
  [13, ["", "nameless-company.example", "Software", "12", "Austin", "TX", "United States"]],
  [250, ["Typo Traders", "not a website", "Retail", "40", "Lyon", "", "France"]],
  [500, ["Formula Fakes", "=HYPERLINK(\"http://formula.example\")", "Media", "7", "Paris", "", "France"]],
  [750, ["Vague Ventures", "vague-ventures.example", "Finance", "about fifty", "Berlin", "", "Germany"]],
  [900, ["Localhost Labs", "localhost", "Software", "3", "Tokyo", "", "Japan"]],
]);

function sampleRows() {
  const next = random(17);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const used = new Set<string>();
  const rows: string[][] = [];
  const good: string[][] = [];
  for (let i = 0; rows.length < SAMPLE_ROWS; i++) {
    const row = rows.length + 2; // the file's row number (the header is row 1)
    // every 97th row repeats an earlier company's domain, written another way
    if (row % 97 === 0 && good.length > 10) {
      const earlier = pick(good);
      rows.push([`${earlier[0]} (duplicate)`, `https://www.${earlier[1]}/`, earlier[2], "", "", "", ""]);
      continue;
    }
    const bad = BAD_ROWS.get(row);
    if (bad) {
      rows.push(bad);
      continue;
    }
    const first = pick(FIRST);
    const second = pick(SECOND);
    let domain = `${first}-${second}.example`;
    for (let n = 2; used.has(domain); n++) domain = `${first}-${second}${n}.example`;
    used.add(domain);
    const [city, state, country] = pick(PLACES);
    const employees = Math.round(5 + next() ** 3 * 5000);
    const name = `${title(first)} ${title(second)}${pick(SUFFIXES)}`;
    const record = [name, next() < 0.3 ? `https://www.${domain}` : domain, pick(INDUSTRIES), employees.toLocaleString("en"), city, state, country];
    rows.push(record);
    good.push([name, domain, record[2]]);
  }
  return { rows, good };
}

if (import.meta.main) {
  await writeOrCheck(SAMPLE_FILE, sampleAccountsCsv(), {
    write: !Deno.args.includes("--check"),
    rewrite: "deno run -A scripts/db/sample-accounts.ts",
  });
}
