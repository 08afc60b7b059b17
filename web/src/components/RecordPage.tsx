// The pages of one record (/accounts/:id, /jobs/:id, /imports/:id) take its id from the address:
// one that is not a uuid can only be a broken link, so the page says so without asking the database.
import type { ReactNode } from "react";
import { useParams } from "react-router-dom";
import { Alert } from "./Alert";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `children(id)` for a uuid :id; otherwise the back link and an alert: `title`, then `message`. */
export function RecordPage({ backLink, title, message, children }: {
  backLink: ReactNode;
  title: string;
  message: string;
  children: (id: string) => ReactNode;
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
  return children(id);
}
