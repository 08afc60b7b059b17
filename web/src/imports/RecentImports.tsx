// The workspace's latest imports, under the import form: each links to its page.
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { RelativeTime } from "../components/RelativeTime";
import { formatNumber } from "../lib/format";
import { recentImportsQuery } from "./queries";

export function RecentImports({ workspaceId }: { workspaceId: string }) {
  const imports = useQuery(recentImportsQuery(workspaceId));
  if (!imports.data || imports.data.length === 0) return null;
  return (
    <section className="card" aria-labelledby="recent-imports-title">
      <h2 id="recent-imports-title">Recent imports</h2>
      <ul className="plain-list import-recent">
        {imports.data.map((imp) => (
          <li key={imp.id}>
            <Link to={`/imports/${imp.id}`}>{imp.file_name}</Link>{" "}
            <span className="muted small">
              {imp.kind} · <RelativeTime iso={imp.created_at} /> ·{" "}
              {imp.finished_at
                ? `${formatNumber(imp.created_count)} created, ${formatNumber(imp.failed_count)} failed`
                : `${formatNumber(imp.rows_done)} rows read so far`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
