// What an accounts CSV looks like to us, once for the SPA (preview, mapping) and the worker
// (import_accounts): its separator, guessed from the header line, and which column holds which
// field, guessed from the headers. Plain TypeScript with no imports, so Deno and Vite both read it.

export const SEPARATORS = [",", ";", "\t"] as const;
export type Separator = (typeof SEPARATORS)[number];

/** The separator that splits the header line into the most columns (quoted parts not counted). */
export function detectSeparator(headerLine: string): Separator {
  let best: Separator = ",";
  let bestCount = 0;
  for (const separator of SEPARATORS) {
    let count = 0;
    let quoted = false;
    for (const char of headerLine) {
      if (char === '"') quoted = !quoted;
      else if (char === separator && !quoted) count++;
    }
    if (count > bestCount) {
      best = separator;
      bestCount = count;
    }
  }
  return best;
}

/** The fields an accounts import can fill, and the headers that usually hold them. */
export const ACCOUNT_IMPORT_FIELDS = [
  { field: "name", label: "Name", required: true, headers: ["name", "company", "company name", "account", "account name", "organization", "organisation"] },
  { field: "domain", label: "Domain / website", required: false, headers: ["domain", "website", "web site", "url", "company domain", "site", "homepage"] },
  { field: "industry", label: "Industry", required: false, headers: ["industry", "sector", "vertical"] },
  { field: "employee_count", label: "Employees", required: false, headers: ["employees", "employee count", "headcount", "size", "company size", "# employees"] },
  { field: "city", label: "City", required: false, headers: ["city", "town"] },
  { field: "state", label: "State / region", required: false, headers: ["state", "region", "province"] },
  { field: "country", label: "Country", required: false, headers: ["country", "country name"] },
] as const;

export type AccountImportField = (typeof ACCOUNT_IMPORT_FIELDS)[number]["field"];

/** Our field -> the file's header, for the columns whose header we recognise. */
export function guessMapping(headers: readonly string[]): Partial<Record<AccountImportField, string>> {
  const mapping: Partial<Record<AccountImportField, string>> = {};
  const taken = new Set<string>();
  for (const { field, headers: known } of ACCOUNT_IMPORT_FIELDS) {
    const match = headers.find((h) => !taken.has(h) && (known as readonly string[]).includes(h.trim().toLowerCase()));
    if (match !== undefined) {
      mapping[field] = match;
      taken.add(match);
    }
  }
  return mapping;
}
