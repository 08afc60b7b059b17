import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, Eye, EyeOff, KeyRound, Lock, PlugZap, Trash2 } from "lucide-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Alert, ErrorAlert, LoadError } from "../components/Alert";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { RelativeTime } from "../components/RelativeTime";
import { Loading } from "../components/States";
import type { ApolloSettingsView } from "../lib/database.types";
import { formatNumber } from "../lib/format";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import {
  apolloSettingsQuery,
  removeApolloKey,
  saveApolloKey,
  setAutoEnrich,
  settingsKeys,
  testApolloConnection,
  validateApiKey,
} from "./api";
import { BudgetSettings } from "./BudgetSettings";
import { OverwriteGroups } from "./OverwriteGroups";
import { ConnectionResult } from "./ConnectionResult";

export function ApiSettingsPage() {
  const { current } = useWorkspace();
  const settings = useQuery(apolloSettingsQuery(current.id));

  return (
    <main className="page page-narrow" aria-labelledby="settings-title">
      <header className="page-header">
        <div>
          <h1 id="settings-title">Settings</h1>
          <p className="muted">
            How {current.name} enriches its accounts and contacts: the Apollo.io key (stored encrypted, never shown again;
            only its last four characters are), what enrichment may overwrite, and the credit budget.
          </p>
        </div>
      </header>
      {settings.isPending ? <Loading label="Loading the Apollo settings…" /> : null}
      {settings.isError ? (
        <LoadError error={settings.error} title="The Apollo settings could not be loaded" retry={settings.refetch} />
      ) : null}
      {settings.data ? <ApolloSettingsForm key={current.id} workspaceId={current.id} settings={settings.data} /> : null}
    </main>
  );
}

export function ApolloSettingsForm({ workspaceId, settings }: { workspaceId: string; settings: ApolloSettingsView }) {
  const queryClient = useQueryClient();
  const keyInputId = useId();
  const keyHelpId = useId();
  const keyErrorId = useId();
  const autoId = useId();
  const testReasonId = useId();
  const [apiKey, setApiKey] = useState("");
  const [showKey, setShowKey] = useState(false);
  const [keyError, setKeyError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const canEdit = settings.can_edit;

  const putSettings = (next: ApolloSettingsView) =>
    queryClient.setQueryData<ApolloSettingsView>(settingsKeys.apollo(workspaceId), (old) => ({ ...old, ...next }));

  const save = useMutation({
    mutationFn: (key: string) => saveApolloKey(workspaceId, key),
    onSuccess: (result) => {
      putSettings(result.settings);
      setNotice(result.message || "API key saved successfully");
      setApiKey("");
      setShowKey(false);
      test.reset();
    },
  });
  const test = useMutation({ mutationFn: () => testApolloConnection(workspaceId) });
  const remove = useMutation({
    mutationFn: () => removeApolloKey(workspaceId),
    onSuccess: (result) => {
      putSettings(result.settings);
      setNotice(result.message || "API key removed");
      setConfirmRemove(false);
      test.reset();
    },
    onError: () => setConfirmRemove(false),
  });
  const auto = useMutation({
    mutationFn: (enabled: boolean) => setAutoEnrich(workspaceId, enabled),
    onSuccess: (enabled) => {
      queryClient.setQueryData<ApolloSettingsView>(settingsKeys.apollo(workspaceId), (old) =>
        old ? { ...old, apollo_auto_enrich: enabled } : old,
      );
      void queryClient.invalidateQueries({ queryKey: settingsKeys.row(workspaceId) });
      setNotice(enabled ? "New accounts will be enriched automatically." : "Automatic enrichment is off.");
    },
  });

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 8000);
    return () => clearTimeout(timer);
  }, [notice]);

  function onSave(event: FormEvent) {
    event.preventDefault();
    const problem = validateApiKey(apiKey);
    setKeyError(problem);
    setNotice(null);
    if (problem) {
      document.getElementById(keyInputId)?.focus();
      return;
    }
    save.mutate(apiKey.trim());
  }

  return (
    <div className="stack">
      <div aria-live="polite" className="stack">
        {notice ? (
          <Alert tone="success" title={notice} />
        ) : null}
      </div>

      {!canEdit ? (
        <Alert tone="info" title="Read-only">
          <p>
            <Lock aria-hidden="true" size={14} className="inline-icon" /> Only owners and admins of this workspace can change the
            Apollo settings.
          </p>
        </Alert>
      ) : null}

      <section className="card" aria-labelledby="key-title">
        <div className="card-header">
          <h2 id="key-title">
            <KeyRound aria-hidden="true" size={18} className="inline-icon" /> API key
          </h2>
          {settings.has_apollo_key ? (
            <span className="badge badge-completed" data-testid="key-status">
              <CheckCircle2 aria-hidden="true" size={14} className="icon" />
              Configured
            </span>
          ) : (
            <span className="badge badge-muted" data-testid="key-status">
              Not configured
            </span>
          )}
        </div>

        {settings.has_apollo_key ? (
          <p data-testid="key-last4">
            Key ending in <span className="mono">••••{settings.apollo_api_key_last4}</span>
            {settings.apollo_key_updated_at ? (
              <span className="muted">
                {" "}
                · saved <RelativeTime iso={settings.apollo_key_updated_at} />
              </span>
            ) : null}
          </p>
        ) : (
          <p className="muted">No key yet: enrichment jobs fail until one is saved. Outside production, test-key-12345 tries the mock.</p>
        )}

        {canEdit ? (
          <form onSubmit={onSave} noValidate className="stack" aria-label="Save Apollo API key">
            <div className={`field${keyError ? " field-invalid" : ""}`}>
              <label htmlFor={keyInputId} className="field-label">
                {settings.has_apollo_key ? "Replace the API key" : "Apollo API key"}
              </label>
              <div className="field-control input-with-button">
                <input
                  id={keyInputId}
                  name="apollo_api_key"
                  className="input mono"
                  type={showKey ? "text" : "password"}
                  autoComplete="off"
                  spellCheck={false}
                  autoCapitalize="none"
                  value={apiKey}
                  onChange={(e) => {
                    setApiKey(e.target.value);
                    if (keyError) setKeyError(validateApiKey(e.target.value));
                  }}
                  placeholder={settings.has_apollo_key ? "Paste a new key" : "Paste your Apollo API key"}
                  aria-invalid={keyError ? true : undefined}
                  aria-describedby={`${keyHelpId}${keyError ? ` ${keyErrorId}` : ""}`}
                />
                <button
                  type="button"
                  className="btn btn-secondary btn-icon"
                  onClick={() => setShowKey((v) => !v)}
                  aria-label={showKey ? "Hide the key" : "Show the key"}
                  aria-pressed={showKey}
                >
                  {showKey ? <EyeOff aria-hidden="true" size={16} /> : <Eye aria-hidden="true" size={16} />}
                </button>
              </div>
              <p id={keyHelpId} className="field-help">
                In Apollo: Settings → Integrations → API. We check the key with Apollo before saving it.
              </p>
              {keyError ? (
                <p id={keyErrorId} className="field-error">
                  {keyError}
                </p>
              ) : null}
            </div>
            {save.error ? <ErrorAlert error={save.error} title="The key was not saved" /> : null}
            <div className="button-row">
              <button type="submit" className="btn btn-primary" disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save"}
              </button>
            </div>
          </form>
        ) : null}
      </section>

      <section className="card" aria-labelledby="test-title">
        <div className="card-header">
          <h2 id="test-title">
            <PlugZap aria-hidden="true" size={18} className="inline-icon" /> Connection
          </h2>
        </div>
        <p className="muted">Checks the saved key with Apollo and shows your account and usage.</p>
        <div className="button-row">
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => test.mutate()}
            disabled={!canEdit || !settings.has_apollo_key || test.isPending}
            aria-describedby={canEdit ? undefined : testReasonId}
          >
            {test.isPending ? "Testing…" : "Test Connection"}
          </button>
          {canEdit && settings.has_apollo_key ? (
            <button type="button" className="btn btn-danger-outline" onClick={() => setConfirmRemove(true)} disabled={remove.isPending}>
              <Trash2 aria-hidden="true" size={16} />
              Remove key
            </button>
          ) : null}
        </div>
        {!canEdit ? (
          <p id={testReasonId} className="muted small">
            Only owners and admins can test the connection: the test shows the Apollo account behind the key.
          </p>
        ) : !settings.has_apollo_key ? (
          <p className="muted small">Save a key first.</p>
        ) : null}
        {test.error ? <ErrorAlert error={test.error} title="The connection test did not run" /> : null}
        {test.data ? <ConnectionResult result={test.data} /> : null}
        {remove.error ? <ErrorAlert error={remove.error} title="The key was not removed" /> : null}
      </section>

      <section className="card" aria-labelledby="usage-title">
        <div className="card-header">
          <h2 id="usage-title">Enrichment</h2>
        </div>
        <div className="switch-row">
          <input
            id={autoId}
            type="checkbox"
            role="switch"
            className="switch"
            checked={settings.apollo_auto_enrich}
            disabled={!canEdit || auto.isPending}
            onChange={(e) => auto.mutate(e.target.checked)}
            aria-describedby={`${autoId}-help`}
          />
          <div>
            <label htmlFor={autoId} className="field-label">
              Enrich new accounts automatically
            </label>
            <p id={`${autoId}-help`} className="field-help">
              When on, accounts you add here with a domain are queued for enrichment as soon as they are created.
            </p>
          </div>
        </div>
        {auto.error ? <ErrorAlert error={auto.error} title="The setting was not changed" /> : null}
        <OverwriteGroups workspaceId={workspaceId} canEdit={canEdit} />
        <p className="credits">
          Credits used in all: <strong data-testid="credits-used">{formatNumber(settings.enrichment_credits_used)}</strong>{" "}
          <span className="muted small">(one per enriched record)</span>
        </p>
      </section>

      <BudgetSettings workspaceId={workspaceId} canEdit={canEdit} />

      <ConfirmDialog
        open={confirmRemove}
        title="Remove the Apollo API key?"
        confirmLabel="Remove key"
        cancelLabel="Keep it"
        destructive
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirmRemove(false)}
      >
        <p>Enrichment jobs of this workspace will fail until a new key is saved.</p>
      </ConfirmDialog>
    </div>
  );
}
