// "Stale": the account's enrichment is older than its workspace's fresh-data age (the view says so).
import { History } from "lucide-react";

export function StaleBadge({ stale }: { stale: boolean }) {
  if (!stale) return null;
  return (
    <span className="pill stale-badge" data-testid="stale-badge" title="Enriched longer ago than this workspace keeps data fresh for">
      <History aria-hidden="true" size={12} /> Stale
    </span>
  );
}
