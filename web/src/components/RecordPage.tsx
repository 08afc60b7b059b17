// The pages of one record (/accounts/:id, /jobs/:id, /imports/:id) take its id from the address:
// one that is not a uuid can only be a broken link, so the page says so without asking the database.
import type { ComponentType, ReactNode } from "react";
import { useParams } from "react-router-dom";
import { Alert, ErrorAlert } from "./Alert";
import { Loading } from "./States";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `detail` for a uuid :id, keyed by it (another record's address starts its page afresh); otherwise
 * the back link and an alert: `title`, then `message`.
 */
export function RecordPage({ backLink, title, message, detail: Detail }: {
  backLink: ReactNode;
  title: string;
  message: string;
  detail: ComponentType<{ id: string }>;
}) {
  const { id = "" } = useParams();
  if (!UUID.test(id)) {
    return (
      <main className="page">
        {backLink}
        <Alert tone="error" title={title}>
          <p>{message}</p>
        </Alert>
      </main>
    );
  }
  return <Detail key={id} id={id} />;
}

/** A record page while its record is read: the back link and what is loading. */
export function RecordLoading({ backLink, label }: { backLink: ReactNode; label: string }) {
  return (
    <main className="page" aria-busy="true">
      {backLink}
      <Loading label={label} />
    </main>
  );
}

/** A record page whose record could not be read: the back link and why. */
export function RecordError({ backLink, error }: { backLink: ReactNode; error: unknown }) {
  return (
    <main className="page">
      {backLink}
      <ErrorAlert error={error} />
    </main>
  );
}
