// Imports: queryOptions factories and keys (['imports','detail',id], its first errors under
// ['imports','detail',id,'errors'], the quotas), and every error of an import for the download.
import { queryOptions } from "@tanstack/react-query";
import type { ImportErrorRow, ImportQuotasRow, ImportRow } from "../lib/database.types";
import { unwrap, unwrapMaybe } from "../lib/errors";
import { recordQuery } from "../lib/record-query";
import { rowsQuery } from "../lib/rows-query";
import { getSupabase } from "../lib/supabase";
import type { ImportKind } from "./mapping";

export const importKeys = {
  all: ["imports"] as const,
  detail: (id: string) => ["imports", "detail", id] as const,
  errors: (id: string) => ["imports", "detail", id, "errors"] as const,
  recent: (workspaceId: string) => ["imports", "recent", workspaceId] as const,
  existing: (workspaceId: string, kind: ImportKind, identities: string[]) => ["imports", "existing", workspaceId, kind, identities] as const,
  quotas: () => ["imports", "quotas"] as const,
};

/** How many errors the import page lists; the rest are in the download. */
export const FIRST_ERRORS = 20;
/** Rows per request when reading every error (PostgREST's default max-rows). */
export const ERRORS_PAGE = 1000;

export const importDetailQuery = (id: string) =>
  recordQuery<ImportRow>(
    importKeys.detail(id),
    () => getSupabase().from("imports").select("*").eq("id", id).maybeSingle(),
    { message: "Import not found.", hint: "It belongs to a workspace you are not a member of, or it was removed." },
  );

export type FirstErrors = { rows: ImportErrorRow[]; total: number };

/** The first errors of an import, in file order, and how many there are. */
export const importErrorsQuery = (id: string) =>
  queryOptions({
    queryKey: importKeys.errors(id),
    queryFn: async (): Promise<FirstErrors> => {
      const result = await getSupabase()
        .from("import_errors")
        .select("*", { count: "exact" })
        .eq("import_id", id)
        .order("row_number", { ascending: true })
        .order("column_name", { ascending: true })
        .limit(FIRST_ERRORS);
      const rows = unwrap(result) ?? [];
      return { rows, total: result.count ?? rows.length };
    },
  });

/** Every error of an import, a page at a time, in file order. */
export async function fetchAllImportErrors(id: string): Promise<ImportErrorRow[]> {
  const all: ImportErrorRow[] = [];
  for (let from = 0; ; from += ERRORS_PAGE) {
    const page = unwrap(
      await getSupabase()
        .from("import_errors")
        .select("*")
        .eq("import_id", id)
        .order("row_number", { ascending: true })
        .order("column_name", { ascending: true })
        .range(from, from + ERRORS_PAGE - 1),
    );
    all.push(...page);
    if (page.length < ERRORS_PAGE) return all;
  }
}

/** The workspace's latest imports, for the import page. */
export const recentImportsQuery = (workspaceId: string) =>
  rowsQuery<ImportRow>(importKeys.recent(workspaceId), () =>
    getSupabase().from("imports").select("*").eq("workspace_id", workspaceId).order("created_at", { ascending: false }).limit(5),
  );

/** Which of these (normalized) domains are already accounts of the workspace: the preview's duplicates. */
/** Which of these domains (accounts) or emails (contacts) the workspace already has. */
export const existingIdentitiesQuery = (workspaceId: string, kind: ImportKind, identities: string[]) =>
  queryOptions({
    queryKey: importKeys.existing(workspaceId, kind, identities),
    enabled: identities.length > 0,
    queryFn: async (): Promise<string[]> => {
      const supabase = getSupabase();
      const found =
        kind === "contacts"
          ? unwrap(await supabase.from("contacts").select("email").eq("workspace_id", workspaceId).in("email", identities)).map((r) => r.email)
          : unwrap(await supabase.from("accounts").select("domain").eq("workspace_id", workspaceId).in("domain", identities)).map((r) => r.domain);
      return found.filter((value): value is string => Boolean(value));
    },
    staleTime: 30_000,
  });

/** The import limits (one row, readable by everyone signed in). */
export const importQuotasQuery = () =>
  queryOptions({
    queryKey: importKeys.quotas(),
    queryFn: async (): Promise<ImportQuotasRow | null> =>
      unwrapMaybe(await getSupabase().from("import_quotas").select("*").maybeSingle()),
    staleTime: 5 * 60_000,
  });
