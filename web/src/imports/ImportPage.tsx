// /accounts/import: choose what the file holds (accounts or contacts, ?kind=contacts) and the file,
// see its first rows, map its columns to the fields (guessed from the headers), choose what a
// duplicate does and whether to enrich afterwards, start.
import { useQuery } from "@tanstack/react-query";
import { Upload } from "lucide-react";
import { useId, useMemo, useState, type ChangeEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { BackLink } from "../components/BackLink";
import type { ImportOnDuplicate } from "../lib/database.types";
import { formatNumber } from "../lib/format";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import {
  guessMapping,
  IMPORT_KINDS,
  mappingProblems,
  previewRows,
  previewSummary,
  rowProblems,
  setField,
  type ImportKind,
  type Mapping,
  type PreviewRow,
} from "./mapping";
import { useStartImport } from "./mutations";
import { CsvPreviewError, formatBytes, readPreview, SEPARATOR_NAMES, type CsvPreview } from "./parse";
import { existingIdentitiesQuery, importQuotasQuery } from "./queries";
import { RecentImports } from "./RecentImports";

/** Rows shown in the preview table (the summary counts every row read). */
export const PREVIEW_TABLE_ROWS = 10;

interface Chosen {
  file: File;
  preview: CsvPreview;
}

/** What each kind of file is called on the page. */
const KIND_WORDS: Record<ImportKind, { option: string; hint: string; records: string; same: string; fill: string; enrich: string }> = {
  accounts: {
    option: "Accounts (companies)",
    hint: "One company per row; duplicates are found by domain.",
    records: "accounts",
    same: "When an account with the same domain already exists",
    fill: "Update the account's empty fields from the row",
    enrich: "Enrich the new accounts with Apollo.io after the import (those with a domain; one credit each)",
  },
  contacts: {
    option: "Contacts (people)",
    hint: "One person per row with an email; duplicates are found by email. A company domain links the contact to its account (created when it is new).",
    records: "contacts",
    same: "When a contact with the same email already exists",
    fill: "Update the contact's empty fields from the row",
    enrich: "Enrich the new contacts with Apollo.io after the import (one credit each)",
  },
};

function kindOf(value: string | null): ImportKind {
  return value === "contacts" ? "contacts" : "accounts";
}

export function ImportPage() {
  const { current } = useWorkspace();
  const navigate = useNavigate();
  const quotas = useQuery(importQuotasQuery());
  const start = useStartImport();
  const fileId = useId();
  const kindId = useId();
  const [searchParams, setSearchParams] = useSearchParams();
  const kind = kindOf(searchParams.get("kind"));
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [mapping, setMapping] = useState<Mapping>({});
  const [onDuplicate, setOnDuplicate] = useState<ImportOnDuplicate>("skip");
  const [enrichAfter, setEnrichAfter] = useState(false);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setChosen(null);
    setFileError(null);
    start.reset();
    if (!file) return;
    setReading(true);
    try {
      const preview = await readPreview(file);
      setChosen({ file, preview });
      setMapping(guessMapping(preview.headers, kind));
    } catch (error) {
      setFileError(error instanceof CsvPreviewError ? error.message : "This file could not be read. Choose it again.");
    } finally {
      setReading(false);
    }
  }

  function onKind(next: ImportKind) {
    setSearchParams(next === "accounts" ? {} : { kind: next }, { replace: true });
    if (chosen) setMapping(guessMapping(chosen.preview.headers, next));
    start.reset();
  }

  function onStart() {
    if (!chosen) return;
    start.mutate(
      { workspaceId: current.id, kind, file: chosen.file, mapping, onDuplicate, enrichAfter },
      { onSuccess: (imp) => navigate(`/imports/${imp.id}`) },
    );
  }

  const maxRows = quotas.data?.max_import_rows ?? 100_000;
  const maxPerDay = quotas.data?.max_imports_per_day ?? 20;

  return (
    <main className="page" aria-labelledby="import-title">
      <BackLink to="/accounts">Accounts</BackLink>
      <header className="page-header">
        <div>
          <h1 id="import-title">Import {KIND_WORDS[kind].records} from CSV</h1>
          <p className="muted">
            Add many companies or people to {current.name} at once. The file is read in the background; you can follow it and leave
            the page.
          </p>
        </div>
      </header>

      <section className="card" aria-labelledby="import-file-title">
        <h2 id="import-file-title">1. Choose a file</h2>
        <fieldset className="import-options" aria-describedby={`${kindId}-help`}>
          <legend className="field-label">The file holds</legend>
          {(Object.keys(KIND_WORDS) as ImportKind[]).map((option) => (
            <label className="checkbox-row" key={option}>
              <input type="radio" name={`${kindId}-kind`} value={option} checked={kind === option} onChange={() => onKind(option)} />
              {KIND_WORDS[option].option}
            </label>
          ))}
          <p id={`${kindId}-help`} className="field-help">
            {KIND_WORDS[kind].hint}
          </p>
        </fieldset>
        <div className="field">
          <label htmlFor={fileId} className="field-label">
            CSV file
          </label>
          <input
            id={fileId}
            type="file"
            className="input import-file"
            accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
            aria-describedby={`${fileId}-help`}
            onChange={onFile}
          />
          <p id={`${fileId}-help`} className="field-help">
            UTF-8 text (with or without a BOM), columns separated by commas, semicolons or tabs, the first row naming the columns.
            Up to 50 MB and {formatNumber(maxRows)} rows per file, {formatNumber(maxPerDay)} imports a day. No file at hand? Try{" "}
            <code>supabase/sample-accounts.csv</code> (1,000 made-up companies) or <code>supabase/sample-contacts.csv</code> (500 made-up
            people at them), each with a few bad rows and duplicates.
          </p>
        </div>
        {reading ? <p className="muted" role="status">Reading the file…</p> : null}
        {fileError ? (
          <Alert tone="error" title={fileError} />
        ) : null}
      </section>

      {chosen ? (
        <ChosenFile
          kind={kind}
          chosen={chosen}
          mapping={mapping}
          setMapping={setMapping}
          onDuplicate={onDuplicate}
          setOnDuplicate={setOnDuplicate}
          enrichAfter={enrichAfter}
          setEnrichAfter={setEnrichAfter}
          workspaceId={current.id}
          onStart={onStart}
          pending={start.isPending}
          error={start.error}
        />
      ) : null}

      <RecentImports workspaceId={current.id} />
    </main>
  );
}

function ChosenFile({
  kind,
  workspaceId,
  chosen,
  mapping,
  setMapping,
  onDuplicate,
  setOnDuplicate,
  enrichAfter,
  setEnrichAfter,
  onStart,
  pending,
  error,
}: {
  kind: ImportKind;
  workspaceId: string;
  chosen: Chosen;
  mapping: Mapping;
  setMapping: (mapping: Mapping) => void;
  onDuplicate: ImportOnDuplicate;
  setOnDuplicate: (value: ImportOnDuplicate) => void;
  enrichAfter: boolean;
  setEnrichAfter: (value: boolean) => void;
  onStart: () => void;
  pending: boolean;
  error: unknown;
}) {
  const { file, preview } = chosen;
  const spec = IMPORT_KINDS[kind];
  const words = KIND_WORDS[kind];
  const rows = useMemo(() => previewRows(preview.headers, preview.records, mapping, kind), [preview, mapping, kind]);
  const summary = previewSummary(rows);
  const shown = rows.slice(0, PREVIEW_TABLE_ROWS);
  // The shown rows that are already an account (domain) or a contact (email) here: the import skips them or fills from them.
  const shownIdentities = [...new Set(shown.flatMap((r) => (r.identity ? [r.identity] : [])))].sort();
  const existing = useQuery(existingIdentitiesQuery(workspaceId, kind, shownIdentities));
  const problems = mappingProblems(mapping, preview.headers, kind);
  const optionsId = useId();

  return (
    <>
      <section className="card" aria-labelledby="import-preview-title">
        <div className="card-header">
          <h2 id="import-preview-title">2. Check the first rows</h2>
          <span className="muted small" data-testid="import-file-facts">
            {file.name} · {formatBytes(file.size)} · separated by {SEPARATOR_NAMES[preview.separator]} · {preview.headers.length} column
            {preview.headers.length === 1 ? "" : "s"}
          </span>
        </div>
        <p data-testid="import-preview-summary">
          {preview.partial ? `In the first ${formatNumber(summary.total)} rows` : `In its ${formatNumber(summary.total)} row${summary.total === 1 ? "" : "s"}`}:{" "}
          {formatNumber(summary.good)} ready, {formatNumber(summary.failing)} will fail
          {summary.duplicates > 0 ? `, ${formatNumber(summary.duplicates)} repeat${summary.duplicates === 1 ? "s" : ""} an earlier ${spec.identityLabel}` : ""}.
          {preview.partial ? <span className="muted"> (The preview reads the file's first 64 KB; the import reads all of it.)</span> : null}
        </p>
        <PreviewTable
          headers={preview.headers}
          rows={shown}
          existing={new Set(existing.data ?? [])}
          existingLabel={`Already ${kind === "contacts" ? "a contact" : "an account"}`}
          duplicateLabel={onDuplicate === "fill_empty" ? "fills its empty fields" : "skipped"}
        />
      </section>

      <section className="card" aria-labelledby="import-mapping-title">
        <h2 id="import-mapping-title">3. Match the columns</h2>
        <p className="muted">We guessed from the column names; change any that are wrong. Columns not chosen are not imported.</p>
        <div className="import-mapping">
          {spec.fields.map(({ field, label }) => (
            <FieldSelect
              key={field}
              field={field}
              label={label}
              required={field === spec.requiredField}
              headers={preview.headers}
              value={mapping[field] ?? ""}
              example={exampleValue(preview, mapping[field])}
              onChange={(header) => setMapping(setField(mapping, field, header))}
            />
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="import-options-title">
        <h2 id="import-options-title">4. Options</h2>
        <fieldset className="import-options">
          <legend className="field-label">{words.same}</legend>
          <label className="checkbox-row">
            <input type="radio" name={`${optionsId}-dup`} value="skip" checked={onDuplicate === "skip"} onChange={() => setOnDuplicate("skip")} />
            Skip the row (leave the {spec.noun} as it is)
          </label>
          <label className="checkbox-row">
            <input
              type="radio"
              name={`${optionsId}-dup`}
              value="fill_empty"
              checked={onDuplicate === "fill_empty"}
              onChange={() => setOnDuplicate("fill_empty")}
            />
            {words.fill}
          </label>
        </fieldset>
        <label className="checkbox-row">
          <input type="checkbox" checked={enrichAfter} onChange={(e) => setEnrichAfter(e.target.checked)} />
          {words.enrich}
        </label>
      </section>

      {problems.length > 0 ? (
        <Alert tone="warning" title="Before you start">
          <ul className="plain-list">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {error ? <ErrorAlert error={error} /> : null}
      <div className="button-row">
        <button type="button" className="btn btn-primary" onClick={onStart} disabled={pending || problems.length > 0}>
          <Upload aria-hidden="true" size={16} />
          {pending ? "Uploading…" : "Start import"}
        </button>
        <Link to="/accounts" className="btn btn-secondary">
          Cancel
        </Link>
      </div>
    </>
  );
}

function exampleValue(preview: CsvPreview, header: string | undefined): string | null {
  if (!header) return null;
  const index = preview.headers.indexOf(header);
  const value = preview.records.map((r) => (r[index] ?? "").trim()).find((v) => v !== "");
  return value ?? null;
}

function FieldSelect({
  field,
  label,
  required,
  headers,
  value,
  example,
  onChange,
}: {
  field: string;
  label: string;
  required: boolean;
  headers: string[];
  value: string;
  example: string | null;
  onChange: (header: string) => void;
}) {
  const id = useId();
  return (
    <div className="field" data-field={field}>
      <label htmlFor={id} className="field-label">
        {label}
        {required ? <span className="required" aria-hidden="true"> *</span> : null}
      </label>
      <select
        id={id}
        className="select"
        value={value}
        required={required}
        aria-describedby={`${id}-help`}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{required ? "Choose a column" : "Not imported"}</option>
        {headers.map((header, i) =>
          header === "" ? null : (
            <option key={`${header}-${i}`} value={header}>
              {header}
            </option>
          ),
        )}
      </select>
      <p id={`${id}-help`} className="field-help import-example">
        {example ? `e.g. ${example.length > 60 ? `${example.slice(0, 60)}…` : example}` : value ? "empty in the first rows" : " "}
      </p>
    </div>
  );
}

function PreviewTable({
  headers,
  rows,
  existing,
  existingLabel,
  duplicateLabel,
}: {
  headers: string[];
  rows: PreviewRow[];
  existing: Set<string>;
  existingLabel: string;
  duplicateLabel: string;
}) {
  if (rows.length === 0) return <p className="muted">The file has a header row but no rows yet.</p>;
  return (
    <div className="table-wrap import-preview" tabIndex={0} role="region" aria-label="The file's first rows">
      <table className="table table-compact">
        <thead>
          <tr>
            <th scope="col">Row</th>
            {headers.map((h, i) => (
              <th scope="col" key={`${h}-${i}`}>
                {h || <span className="visually-hidden">Column {i + 1}</span>}
              </th>
            ))}
            <th scope="col">Will be</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const problems = rowProblems(row);
            const exists = !problems.length && !row.duplicateOf && row.identity !== null && existing.has(row.identity);
            const outcome = problems.length ? "fail" : row.duplicateOf ? "duplicate" : exists ? "exists" : "ok";
            return (
              <tr key={row.row} data-testid="preview-row" data-outcome={outcome}>
                <td className="mono">{row.row}</td>
                {headers.map((_, i) => (
                  <td key={i}>{row.record[i] ?? ""}</td>
                ))}
                <td>
                  {problems.length ? (
                    <span className="import-verdict fail">Fails: {problems.join("; ")}</span>
                  ) : row.duplicateOf ? (
                    <span className="muted">A duplicate of row {row.duplicateOf}</span>
                  ) : exists ? (
                    <span className="muted">
                      {existingLabel}: {duplicateLabel}
                    </span>
                  ) : (
                    <span className="import-verdict ok">Imported</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
