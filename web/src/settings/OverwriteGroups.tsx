// "Apollo wins" per field group: by default enrichment keeps values a person typed; an owner or
// admin can let Apollo's value win for some groups (workspace_settings.apollo_overwrite_groups).
// The groups and their labels are field-map.ts's, the database's list is tested against it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FIELD_GROUP_LABELS, type FieldGroup } from "../../../supabase/functions/_shared/apollo/field-map.ts";
import { ErrorAlert } from "../components/Alert";
import type { WorkspaceSettingsRow } from "../lib/database.types";
import { settingsKeys, updateWorkspaceSettings, workspaceSettingsQuery } from "./api";

const GROUPS = Object.keys(FIELD_GROUP_LABELS) as FieldGroup[];

export function OverwriteGroups({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const settings = useQuery(workspaceSettingsQuery(workspaceId));
  const save = useMutation({
    mutationFn: (groups: FieldGroup[]) => updateWorkspaceSettings(workspaceId, { apollo_overwrite_groups: groups }),
    onSuccess: (row) => queryClient.setQueryData<WorkspaceSettingsRow | null>(settingsKeys.row(workspaceId), row),
  });
  const chosen = new Set(settings.data?.apollo_overwrite_groups ?? []);

  function toggle(group: FieldGroup, on: boolean) {
    const next = new Set(chosen);
    if (on) next.add(group);
    else next.delete(group);
    save.mutate(GROUPS.filter((g) => next.has(g)));
  }

  return (
    <fieldset className="overwrite-groups" disabled={!canEdit || !settings.data || save.isPending}>
      <legend className="field-label">When Apollo has a different value than one a person typed</legend>
      <p className="field-help">
        Typed values are kept unless you tick their group here; empty fields and values Apollo wrote are always updated.
      </p>
      {GROUPS.map((group) => (
        <label key={group} className="checkbox-row">
          <input type="checkbox" checked={chosen.has(group)} onChange={(e) => toggle(group, e.target.checked)} />
          Apollo wins: {FIELD_GROUP_LABELS[group]}
        </label>
      ))}
      {save.error ? <ErrorAlert error={save.error} title="The setting was not changed" /> : null}
      {settings.error ? <ErrorAlert error={settings.error} title="The setting could not be loaded" /> : null}
    </fieldset>
  );
}
