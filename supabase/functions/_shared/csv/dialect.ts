// What a CSV file looks like to us, once for the SPA (preview, mapping) and the worker (the import
// jobs): its separator, guessed from the header line, and which column holds which field, guessed
// from the headers. Plain TypeScript with no imports, so Deno and Vite both read it.

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

/** A field an import can fill and the headers that usually hold it (which one a mapping needs: requiredField). */
export interface ImportField<F extends string = string> {
  readonly field: F;
  readonly label: string;
  readonly headers: readonly string[];
}

/** Our field -> the file's header, for the columns whose header we recognise (each column once). */
export function guessMapping<F extends string>(
  headers: readonly string[],
  fields: readonly ImportField<F>[],
): Partial<Record<F, string>> {
  const mapping: Partial<Record<F, string>> = {};
  const taken = new Set<string>();
  for (const { field, headers: known } of fields) {
    const match = headers.find((h) => !taken.has(h) && known.includes(h.trim().toLowerCase()));
    if (match !== undefined) {
      mapping[field] = match;
      taken.add(match);
    }
  }
  return mapping;
}

/** Headers that name a company: an account's name, or a contact's company. */
export const COMPANY_NAME_HEADERS = ["company", "company name", "account", "account name", "organization", "organisation"] as const;

/** Where a company or a person is: the same three fields in both kinds of import. */
export const LOCATION_FIELDS = [
  { field: "city", label: "City", headers: ["city", "town"] },
  { field: "state", label: "State / region", headers: ["state", "region", "province"] },
  { field: "country", label: "Country", headers: ["country", "country name"] },
] as const satisfies readonly ImportField[];
