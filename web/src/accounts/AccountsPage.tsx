import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, Search, Sparkles, X } from "lucide-react";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { Link, useLocation, useSearchParams } from "react-router-dom";
import { Alert, ErrorAlert, LoadError } from "../components/Alert";
import { EnrichmentBadge } from "../components/EnrichmentBadge";
import { StaleBadge } from "./StaleBadge";
import { LiveIndicator } from "../components/LiveIndicator";
import { Pagination } from "../components/Pagination";
import { EmptyState, Loading } from "../components/States";
import type { AccountWithEnrichmentRow } from "../lib/database.types";
import { formatNumber } from "../lib/format";
import { useWorkspaceJobsLive } from "../jobs/JobsPage";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { ACCOUNTS_PAGE_SIZE, clampPage, parseListParams, toSearchParams } from "./list-params";
import { useEnrichAccounts, type BulkEnrichOutcome, type SelectedAccount as Selected } from "./mutations";
import { accountKeys, accountsListQuery } from "./queries";


export function AccountsPage() {
  const { current } = useWorkspace();
  const queryClient = useQueryClient();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = parseListParams(searchParams);
  const accounts = useQuery(accountsListQuery(current.id, params));
  const [selected, setSelected] = useState<Map<string, Selected>>(new Map());
  const enrich = useEnrichAccounts();
  const [outcome, setOutcome] = useState<BulkEnrichOutcome | null>(null);
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;

  // Selections belong to one workspace.
  useEffect(() => {
    setSelected(new Map());
    setOutcome(null);
    enrich.reset();
  }, [current.id]);

  const rowsNow = useRef(accounts.data?.rows);
  rowsNow.current = accounts.data?.rows;
  const invalidate = useCallback(() => queryClient.invalidateQueries({ queryKey: accountKeys.lists() }), [queryClient]);
  const anyEnriching = useCallback(() => (rowsNow.current ?? []).some((r) => r.enrichment_status === "enriching"), []);
  const live = useWorkspaceJobsLive(current.id, invalidate, anyEnriching);

  // A page past the end (the list shrank) moves to the last page.
  const total = accounts.data?.total;
  useEffect(() => {
    if (total === undefined || accounts.isPlaceholderData) return;
    const page = clampPage(params.page, total, ACCOUNTS_PAGE_SIZE);
    if (page !== params.page) setSearchParams(toSearchParams({ ...params, page }), { replace: true });
  }, [total, params.page, accounts.isPlaceholderData]);

  const rows = accounts.data?.rows ?? [];
  const allOnPageSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const someOnPageSelected = rows.some((r) => selected.has(r.id));

  const toggle = (row: AccountWithEnrichmentRow) =>
    setSelected((old) => {
      const next = new Map(old);
      if (next.has(row.id)) next.delete(row.id);
      else next.set(row.id, { id: row.id, name: row.name, domain: row.domain });
      return next;
    });
  const togglePage = () =>
    setSelected((old) => {
      const next = new Map(old);
      if (allOnPageSelected) rows.forEach((r) => next.delete(r.id));
      else rows.forEach((r) => next.set(r.id, { id: r.id, name: r.name, domain: r.domain }));
      return next;
    });

  const enrichSelected = () => {
    setOutcome(null);
    enrich.mutate([...selected.values()], {
      onSuccess: (result) => {
        setOutcome(result);
        setSelected(new Map());
      },
    });
  };

  return (
    <main className="page" aria-labelledby="accounts-title">
      <header className="page-header">
        <div>
          <h1 id="accounts-title">Accounts</h1>
          <p className="muted">Companies in {current.name}. Select some and enrich them with Apollo.io.</p>
        </div>
        <div className="page-header-side">
          <LiveIndicator status={live} />
          <Link to="/accounts/import" className="btn btn-secondary">
            Import CSV
          </Link>
          <Link to="/accounts/new" className="btn btn-primary">
            <Plus aria-hidden="true" size={16} />
            New account
          </Link>
        </div>
      </header>
      {deleted ? <Alert tone="success" title={`Deleted ${deleted}.`} /> : null}

      <SearchBox
        value={params.search}
        onSearch={(search) => setSearchParams(toSearchParams({ search, page: 1 }), { replace: true })}
      />

      {selected.size > 0 ? (
        <div className="bulk-bar" role="region" aria-label="Selected accounts">
          <span>
            <strong>{selected.size}</strong> selected
          </span>
          <div className="button-row">
            <button type="button" className="btn btn-primary" onClick={enrichSelected} disabled={enrich.isPending}>
              <Sparkles aria-hidden="true" size={16} />
              {enrich.isPending ? "Queueing…" : `Enrich ${selected.size} selected`}
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => setSelected(new Map())}>
              <X aria-hidden="true" size={16} />
              Clear selection
            </button>
          </div>
        </div>
      ) : null}

      {enrich.error ? <ErrorAlert error={enrich.error} title="The accounts could not be queued" /> : null}
      {outcome ? <BulkOutcome outcome={outcome} onDismiss={() => setOutcome(null)} /> : null}

      {accounts.isPending ? <Loading label="Loading accounts…" /> : null}
      {accounts.isError ? (
        <LoadError error={accounts.error} title="The accounts could not be loaded" retry={accounts.refetch} />
      ) : null}

      {accounts.data && rows.length === 0 ? (
        params.search ? (
          <EmptyState title={`No accounts match “${params.search}”`}>
            <p>Search looks at names and domains. Try fewer letters.</p>
          </EmptyState>
        ) : (
          <EmptyState
            title="No accounts yet"
            action={
              <Link to="/accounts/new" className="btn btn-primary">
                <Plus aria-hidden="true" size={16} /> Add your first account
              </Link>
            }
          >
            <p>Add a company with its website domain, then enrich it with Apollo.io.</p>
          </EmptyState>
        )
      ) : null}

      {rows.length > 0 ? (
        <>
          <div className={`table-wrap${accounts.isPlaceholderData ? " is-stale" : ""}`} aria-busy={accounts.isFetching}>
            <table className="table" aria-label="Accounts">
              <thead>
                <tr>
                  <th scope="col" className="col-check">
                    <Checkbox
                      label="Select all accounts on this page"
                      checked={allOnPageSelected}
                      indeterminate={!allOnPageSelected && someOnPageSelected}
                      onChange={togglePage}
                    />
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-sm">Domain</th>
                  <th scope="col">Enrichment</th>
                  <th scope="col" className="hide-md">Industry</th>
                  <th scope="col" className="hide-md">Employees</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} data-testid="account-row" className={selected.has(row.id) ? "is-selected" : undefined}>
                    <td className="col-check">
                      <Checkbox label={`Select ${row.name}`} checked={selected.has(row.id)} onChange={() => toggle(row)} />
                    </td>
                    <td>
                      <Link to={`/accounts/${row.id}`} className="strong-link">
                        {row.name}
                      </Link>
                      <div className="muted small show-sm">{row.domain ?? "No domain"}</div>
                    </td>
                    <td className="hide-sm">{row.domain ?? <span className="muted">No domain</span>}</td>
                    <td>
                      <EnrichmentBadge status={row.enrichment_status} enrichedAt={row.enriched_at} error={row.latest_job_error} />{" "}
                      <StaleBadge stale={row.stale} />
                    </td>
                    <td className="hide-md">{row.industry ?? <span className="muted">—</span>}</td>
                    <td className="hide-md">{row.employee_count !== null ? formatNumber(row.employee_count) : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={params.page}
            pageSize={ACCOUNTS_PAGE_SIZE}
            total={accounts.data?.total ?? 0}
            onPage={(page) => setSearchParams(toSearchParams({ ...params, page }))}
            label="Accounts pages"
          />
        </>
      ) : null}
    </main>
  );
}

function Checkbox({
  label,
  checked,
  indeterminate = false,
  onChange,
}: {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  onChange: () => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return <input ref={ref} type="checkbox" className="checkbox" aria-label={label} checked={checked} onChange={onChange} />;
}

/** The search field: updates the list 300 ms after typing stops, or at once on Enter. */
export function SearchBox({ value, onSearch }: { value: string; onSearch: (value: string) => void }) {
  const id = useId();
  const [text, setText] = useState(value);
  const onSearchRef = useRef(onSearch);
  onSearchRef.current = onSearch;
  const lastSent = useRef(value);

  useEffect(() => {
    // The URL changed from outside (back button): show it.
    if (value !== lastSent.current) {
      lastSent.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    if (text.trim() === lastSent.current.trim()) return;
    const timer = setTimeout(() => {
      lastSent.current = text.trim();
      onSearchRef.current(text.trim());
    }, 300);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <form
      role="search"
      className="search"
      onSubmit={(event) => {
        event.preventDefault();
        lastSent.current = text.trim();
        onSearchRef.current(text.trim());
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Search accounts
      </label>
      <Search aria-hidden="true" size={16} className="search-icon" />
      <input
        id={id}
        type="search"
        className="input search-input"
        placeholder="Search by name or domain"
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={100}
      />
    </form>
  );
}

export function bulkSummary(outcome: BulkEnrichOutcome): { queued: string; skipped: string | null } {
  const n = outcome.jobs.length;
  const queued =
    n === 0
      ? "No accounts were queued."
      : `Queued ${n} account${n === 1 ? "" : "s"} for enrichment.`;
  const noDomain = outcome.skipped.filter((a) => !a.domain).map((a) => a.name);
  const gone = outcome.skipped.filter((a) => a.domain).map((a) => a.name);
  const parts: string[] = [];
  if (noDomain.length > 0) {
    parts.push(
      `Skipped ${noDomain.length} without a domain: ${noDomain.join(", ")}. Add a domain to enrich ${
        noDomain.length === 1 ? "it" : "them"
      }.`,
    );
  }
  if (gone.length > 0) parts.push(`Could not queue ${gone.join(", ")}: ${gone.length === 1 ? "it" : "they"} may have been deleted.`);
  return { queued, skipped: parts.length ? parts.join(" ") : null };
}

function BulkOutcome({ outcome, onDismiss }: { outcome: BulkEnrichOutcome; onDismiss: () => void }) {
  const { queued, skipped } = bulkSummary(outcome);
  return (
    <Alert tone={outcome.jobs.length === 0 ? "warning" : "success"} title={queued}>
      {skipped ? <p>{skipped}</p> : null}
      <p className="button-row">
        {outcome.jobs.length === 1 ? (
          <Link to={`/jobs/${outcome.jobs[0].id}`}>Follow the job</Link>
        ) : outcome.jobs.length > 1 ? (
          <Link to="/jobs?status=active">Follow the jobs</Link>
        ) : null}
        <button type="button" className="btn-link" onClick={onDismiss}>
          Dismiss
        </button>
      </p>
    </Alert>
  );
}
