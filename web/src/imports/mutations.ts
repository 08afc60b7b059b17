// Starting an import: the file goes to the private Storage bucket `imports` under
// <workspace_id>/<uuid>/<file name> (RLS: the workspace's members), then start_import queues the
// job. A file over the bucket's 50 MB is refused before any byte is sent; Storage's own words
// explain any other refusal. When start_import refuses, the uploaded file is removed again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ImportOnDuplicate, ImportRow } from "../lib/database.types";
import { toUserError, UserFacingError } from "../lib/errors";
import { getSupabase } from "../lib/supabase";
import { mappingForImport, type ImportKind, type Mapping } from "./mapping";
import { MAX_FILE_BYTES, tooLargeError } from "./parse";
import { importKeys } from "./queries";

export interface StartImportInput {
  workspaceId: string;
  kind: ImportKind;
  file: File;
  mapping: Mapping;
  onDuplicate: ImportOnDuplicate;
  enrichAfter: boolean;
}

/** The object's name: the file's name with the characters Storage keys refuse replaced. */
export function storageFileName(name: string): string {
  const safe = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\w.() -]+/g, "_").replace(/^[.\s]+/, "").slice(-200);
  return safe || "import.csv";
}

export function importObjectPath(workspaceId: string, fileName: string, id: string = crypto.randomUUID()): string {
  return `${workspaceId}/${id}/${storageFileName(fileName)}`;
}

/** Storage's error (StorageApiError, StorageUnknownError) in its own words. */
function uploadError(error: unknown): UserFacingError {
  const status = Number((error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode);
  const message = error instanceof Error && error.message ? error.message : "The upload failed.";
  if (status === 413) return new UserFacingError(`The file could not be uploaded: ${message}`, "An import takes files up to 50 MB.", 413);
  return new UserFacingError(`The file could not be uploaded: ${message}`, "Check your connection and try again.", Number.isFinite(status) ? status : undefined);
}

export async function startImport(input: StartImportInput): Promise<ImportRow> {
  if (input.file.size > MAX_FILE_BYTES) {
    const tooLarge = tooLargeError(input.file.size);
    throw new UserFacingError(tooLarge.message, undefined, 413);
  }
  const supabase = getSupabase();
  const path = importObjectPath(input.workspaceId, input.file.name);
  const uploaded = await supabase.storage
    .from("imports")
    .upload(path, input.file, { contentType: input.file.type || "text/csv", upsert: false });
  if (uploaded.error) throw uploadError(uploaded.error);

  const started = await supabase.rpc("start_import", {
    object_path: path,
    file_name: input.file.name.slice(0, 255) || "import.csv",
    mapping: mappingForImport(input.mapping),
    on_duplicate: input.onDuplicate,
    enrich_after: input.enrichAfter,
    kind: input.kind,
  });
  if (started.error || !started.data) {
    // Nothing will read the file: take it away again (best effort).
    void supabase.storage.from("imports").remove([path]).catch(() => undefined);
    throw started.error ? toUserError(started.error) : new UserFacingError("The server sent an empty answer.", "Please try again.");
  }
  return started.data;
}

export function useStartImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startImport,
    onSuccess: (imp) => {
      queryClient.setQueryData(importKeys.detail(imp.id), imp);
      void queryClient.invalidateQueries({ queryKey: importKeys.recent(imp.workspace_id) });
    },
  });
}
