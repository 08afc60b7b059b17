import { ChevronLeft, ChevronRight } from "lucide-react";

/** "Showing 11–20 of 42" with previous / next buttons. `page` is 1-based. */
export function Pagination({
  page,
  pageSize,
  total,
  onPage,
  label = "Pagination",
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (total === 0) return null;
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pagination" aria-label={label}>
      <span className="pagination-summary">
        Showing {first}–{last} of {total}
      </span>
      <div className="pagination-buttons">
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onPage(page - 1)} disabled={page <= 1}>
          <ChevronLeft aria-hidden="true" size={16} />
          Previous
        </button>
        <span className="pagination-page" aria-current="page">
          Page {page} of {pages}
        </span>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onPage(page + 1)} disabled={page >= pages}>
          Next
          <ChevronRight aria-hidden="true" size={16} />
        </button>
      </div>
    </nav>
  );
}
