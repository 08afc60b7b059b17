import { CheckCircle2, Circle, Loader2, XCircle } from "lucide-react";
import type { EnrichmentStatus } from "../lib/database.types";
import { formatDateTime } from "../lib/format";
import { RelativeTime } from "./RelativeTime";

/** An account's enrichment state for lists: never, enriching, enriched at <time>, failed. */
export function EnrichmentBadge({
  status,
  enrichedAt,
  error,
}: {
  status: EnrichmentStatus;
  enrichedAt?: string | null;
  error?: string | null;
}) {
  switch (status) {
    case "enriching":
      return (
        <span className="badge badge-processing" data-enrichment="enriching">
          <Loader2 aria-hidden="true" className="icon spin" size={14} />
          Enriching
        </span>
      );
    case "enriched":
      return (
        <span className="badge badge-completed" data-enrichment="enriched" title={formatDateTime(enrichedAt)}>
          <CheckCircle2 aria-hidden="true" className="icon" size={14} />
          <span>
            Enriched{enrichedAt ? <> <RelativeTime iso={enrichedAt} /></> : null}
          </span>
        </span>
      );
    case "failed":
      return (
        <span className="badge badge-failed" data-enrichment="failed" title={error ?? undefined}>
          <XCircle aria-hidden="true" className="icon" size={14} />
          Failed
        </span>
      );
    default:
      return (
        <span className="badge badge-muted" data-enrichment="never">
          <Circle aria-hidden="true" className="icon" size={14} />
          Not enriched
        </span>
      );
  }
}
