// supabase/sample-contacts.csv: 500 made-up people to try the contacts import with, working at the
// companies of supabase/sample-accounts.csv (so an import after that one links them to their
// accounts) and at a few companies that file does not have (the import creates their accounts).
// Emails are first.last@<company domain> (.example: nobody's mailbox). A few rows are bad (no
// email, an email that is none, a website that is no domain) and a few repeat an earlier person's
// email in other capitals. Deterministic: the same file on every run.
//   deno run -A scripts/db/sample-contacts.ts           write it
//   deno run -A scripts/db/sample-contacts.ts --check   check the committed file is this script's
import { repoRoot } from "../stack/config.ts";
import { writeOrCheck } from "./generated-file.ts";
import { field, random, sampleCompanies } from "./sample-accounts.ts";

export const SAMPLE_CONTACTS_FILE = `${repoRoot}/supabase/sample-contacts.csv`;
export const SAMPLE_CONTACT_ROWS = 500;

const FIRST_NAMES = [
  "Ada", "Ana", "Ben", "Bo", "Cara", "Chen", "Dana", "Diego", "Eli", "Emma", "Farah", "Finn", "Grace", "Hana", "Ines", "Ivan",
  "Jon", "Kai", "Lena", "Leo", "Maya", "Mo", "Nia", "Noah", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Sofia", "Tariq", "Uma",
  "Vera", "Wei", "Yara", "Zoe",
];
const LAST_NAMES = [
  "Abbott", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski", "Lopez", "Meyer",
  "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
];
const TITLES = [
  "CEO", "CTO", "VP of Sales", "Head of Marketing", "Account Executive", "Sales Manager", "Data Engineer", "Product Manager",
  "Operations Lead", "CFO", "Customer Success Manager", "Procurement Manager",
];
/** Companies that are not in sample-accounts.csv: importing their people creates their accounts. */
const NEW_COMPANIES = [
  { name: "Hollow Pines Outfitters", domain: "hollow-pines.example" },
  { name: "Quiet Harbor Insurance", domain: "quiet-harbor.example" },
  { name: "Tin Lantern Games", domain: "tin-lantern.example" },
];

export function sampleContactsCsv(): string {
  const next = random(29);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const companies = [...sampleCompanies().slice(0, 200), ...NEW_COMPANIES];
  const used = new Set<string>();
  const rows: string[][] = [];
  const good: string[][] = [];
  while (rows.length < SAMPLE_CONTACT_ROWS) {
    const row = rows.length + 2; // the file's row number (the header is row 1)
    // every 89th row repeats an earlier person's email in capitals
    if (row % 89 === 0 && good.length > 10) {
      const earlier = pick(good);
      rows.push([earlier[0].toUpperCase(), earlier[1], earlier[2], "", earlier[4], earlier[5]]);
      continue;
    }
    if (row === 17) {
      rows.push(["", "Nobody", "Atall", "CEO", "Amber Apps", "amber-apps.example"]);
      continue;
    }
    if (row === 120) {
      rows.push(["not-an-email", "Typo", "Tess", "CTO", "", ""]);
      continue;
    }
    if (row === 333) {
      rows.push(["lee@somewhere.example", "Lee", "Park", "Founder", "Nowhere Ltd", "not a website"]);
      continue;
    }
    const company = row % 41 === 0 ? NEW_COMPANIES[(row / 41) % NEW_COMPANIES.length] : pick(companies);
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    let email = `${first}.${last}@${company.domain}`.toLowerCase();
    for (let n = 2; used.has(email); n++) email = `${first}.${last}${n}@${company.domain}`.toLowerCase();
    used.add(email);
    const record = [email, first, last, pick(TITLES), company.name, company.domain];
    rows.push(record);
    good.push(record);
  }
  const header = ["Email", "First name", "Last name", "Title", "Company", "Company website"];
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\n") + "\n";
}

if (import.meta.main) {
  await writeOrCheck(SAMPLE_CONTACTS_FILE, sampleContactsCsv(), {
    write: !Deno.args.includes("--check"),
    rewrite: "deno run -A scripts/db/sample-contacts.ts",
  });
}
