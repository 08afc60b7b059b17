// Where each value on the account page came from (a person, or Apollo), what the last enrichment
// changed, and a warning when Apollo's data was made up by the mock client or the local fake.
import { PenLine, Sparkles } from "lucide-react";
import { Link } from "react-router-dom";
import { Alert } from "../components/Alert";
import { lastEnrichment } from "../lib/apollo-fields";
import type { FieldSource, Json } from "../lib/database.types";
import { formatDateTime } from "../lib/format";

export function FieldSourceMark({ source, sample }: { source: FieldSource | null; sample: boolean }) {
  if (!source) return null;
  if (source.source === "apollo") {
    const what = sample ? "Sample data" : "Apollo";
    return (
      <span className="pill source-mark" title={`${sample ? "Made up by the mock Apollo, not from Apollo.io" : "Filled in by Apollo.io"}, ${formatDateTime(source.at)}`}>
        <Sparkles aria-hidden="true" size={12} />
        {what}
      </span>
    );
  }
  return (
    <span className="pill source-mark typed" title={`Entered by a person, ${formatDateTime(source.at)}; enrichment keeps it`}>
      <PenLine aria-hidden="true" size={12} />
      Typed
    </span>
  );
}

export function SampleDataNote() {
  return (
    <Alert tone="warning" title="Sample data, not from Apollo">
      <p>
        These values were made up by the mock Apollo client or the local fake Apollo, for trying the product out. Add a real
        Apollo key in <Link to="/workspace/settings/api">Settings</Link> to enrich from Apollo.io.
      </p>
    </Alert>
  );
}

function shown(value: Json | null): string {
  if (value === null || value === "") return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** metadata.last_enrichment: what changed (old -> new) and the typed values it kept. */
export function LastEnrichmentChanges({
  metadata,
  labels,
}: {
  metadata: { [key: string]: Json | undefined };
  labels: Record<string, string>;
}) {
  const last = lastEnrichment(metadata);
  if (!last) return null;
  const label = (column: string) => labels[column] ?? column;
  return (
    <section className="card" aria-labelledby="last-enrichment-title" data-testid="last-enrichment">
      <div className="card-header">
        <h2 id="last-enrichment-title">What the last enrichment changed</h2>
        {last.at ? (
          <span className="muted small">
            {last.jobId ? <Link to={`/jobs/${last.jobId}`}>{formatDateTime(last.at)}</Link> : formatDateTime(last.at)}
          </span>
        ) : null}
      </div>
      {last.changed.length === 0 ? <p className="muted">Nothing changed: Apollo had nothing new.</p> : null}
      {last.changed.length > 0 ? (
        <ul className="change-list">
          {last.changed.map((c) => (
            <li key={c.column} data-change={c.column}>
              <strong>{label(c.column)}</strong>: <span className="muted">{shown(c.old)}</span> → {shown(c.new)}
            </li>
          ))}
        </ul>
      ) : null}
      {last.kept.length > 0 ? (
        <>
          <p className="small">Kept because a person typed them (Apollo had another value):</p>
          <ul className="change-list">
            {last.kept.map((k) => (
              <li key={k.column} data-kept={k.column}>
                <strong>{label(k.column)}</strong>: kept {shown(k.value)} <span className="muted">(Apollo: {shown(k.apollo)})</span>
              </li>
            ))}
          </ul>
          <p className="muted small">
            To let Apollo's values win, an owner can change it in <Link to="/workspace/settings/api">Settings</Link>.
          </p>
        </>
      ) : null}
    </section>
  );
}
