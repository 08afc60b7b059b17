import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ExternalLink, Pencil, Sparkles } from "lucide-react";
import { useCallback, useMemo, useRef } from "react";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { Alert, ErrorAlert } from "../components/Alert";
import { EnrichmentBadge } from "../components/EnrichmentBadge";
import { StaleBadge } from "./StaleBadge";
import { LiveIndicator } from "../components/LiveIndicator";
import { RelativeTime } from "../components/RelativeTime";
import { BackLink } from "../components/BackLink";
import { RecordError, RecordLoading, RecordPage } from "../components/RecordPage";
import { EmptyState, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { apolloEnrichedAt, fieldSource, isSampleEnrichment } from "../lib/apollo-fields";
import type { AccountRow, AccountWithEnrichmentRow, ContactRow, JobRow } from "../lib/database.types";
import { contactName, formatDateTime, formatMoney, formatNumber } from "../lib/format";
import { useLiveSubscription } from "../lib/live/useLiveSubscription";
import { broadcastTransport } from "../lib/broadcast";
import type { ChangePayload } from "../lib/realtime";
import { workspaceAccountsTopic, workspaceJobsTopic } from "../lib/topics";
import { displayPercentage, expectsUpdates, isWaitingForRetry } from "../jobs/live";
import { useFollowWorkspace } from "../workspace/WorkspaceProvider";
import { AddContactForm } from "./AddContactForm";
import { DeleteAccountButton, DeleteContactButton } from "./DeleteButtons";
import { FieldSourceMark, LastEnrichmentChanges, SampleDataNote } from "./FieldSources";
import { useEnrichAccount, useEnrichContact } from "./mutations";
import { accountContactsQuery, accountDetailQuery, accountJobsQuery, accountKeys } from "./queries";

const backLink = <BackLink to="/accounts">Accounts</BackLink>;

export function AccountDetailPage() {
  return <RecordPage backLink={backLink} title="Account not found." message="This link does not point to an account." detail={AccountDetail} />;
}

/**
 * Live: the workspace's accounts and jobs topics (this account, and jobs for it and its contacts).
 * A batch that touches this account refetches it with its contacts and jobs; so do a
 * (re)subscribe, Realtime trouble, and a quiet spell while one of its jobs runs.
 */
function useAccountLive(account: AccountWithEnrichmentRow | undefined, contactIds: string[], jobs: JobRow[] | undefined) {
  const queryClient = useQueryClient();
  const id = account?.id;
  const workspaceId = account?.workspace_id;
  const contactSet = useMemo(() => new Set(contactIds), [contactIds]);
  const running = useRef(false);
  running.current = account?.enrichment_status === "enriching" || (jobs ?? []).some((j) => expectsUpdates(j, Date.now()));

  const transport = useMemo(
    () => broadcastTransport(workspaceId ? [workspaceAccountsTopic(workspaceId), workspaceJobsTopic(workspaceId)] : []),
    [workspaceId],
  );

  const refetch = useCallback(async () => {
    if (id) await queryClient.invalidateQueries({ queryKey: accountKeys.detail(id) });
  }, [id, queryClient]);

  const onBatch = useCallback(
    (events: ChangePayload[]) => {
      if (!id) return;
      let touched = false;
      for (const payload of events) {
        if (payload.table === "accounts") {
          const next = payload.new as Partial<AccountRow>;
          const gone = payload.old as Partial<AccountRow>;
          if (next?.id !== id && gone?.id !== id) continue; // another account of the workspace
          if (payload.eventType === "UPDATE") {
            queryClient.setQueryData<AccountWithEnrichmentRow>(accountKeys.detail(id), (old) => (old ? { ...old, ...next } : old));
          }
          touched = true;
          continue;
        }
        const job = (payload.new ?? payload.old) as Partial<JobRow>;
        if (job?.subject_id === id || (job?.subject_id && contactSet.has(job.subject_id))) touched = true;
      }
      if (touched) void refetch();
    },
    [id, contactSet, queryClient, refetch],
  );

  return useLiveSubscription({
    key: `${id}:${workspaceId}`,
    enabled: Boolean(id && workspaceId),
    transport,
    onBatch,
    refetch,
    expectChanges: () => running.current,
  });
}

function AccountDetail({ id }: { id: string }) {
  const account = useQuery(accountDetailQuery(id));
  const contacts = useQuery({ ...accountContactsQuery(id), enabled: account.isSuccess });
  const jobs = useQuery({ ...accountJobsQuery(id), enabled: account.isSuccess });
  const contactIds = useMemo(() => (contacts.data ?? []).map((c) => c.id), [contacts.data]);
  const live = useAccountLive(account.data, contactIds, jobs.data);
  const location = useLocation();
  const arrival = (location.state as { created?: boolean; saved?: boolean; autoJobId?: string; autoError?: string } | null) ?? {};
  useFollowWorkspace(account.data?.workspace_id);

  if (account.isPending) return <RecordLoading backLink={backLink} label="Loading the account…" />;
  if (account.isError) return <RecordError backLink={backLink} error={account.error} />;

  const a = account.data;
  return (
    <main className="page" aria-labelledby="account-title">
      {backLink}
      <header className="page-header">
        <div>
          <h1 id="account-title">{a.name}</h1>
          <p className="muted">
            {a.domain ? (
              <a href={`https://${a.domain}`} target="_blank" rel="noreferrer noopener">
                {a.domain}
                <ExternalLink aria-hidden="true" size={12} className="inline-icon" />
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            ) : (
              "No domain"
            )}
          </p>
        </div>
        <div className="page-header-side">
          <EnrichmentBadge status={a.enrichment_status} enrichedAt={a.enriched_at} error={a.latest_job_error} />
          <StaleBadge stale={a.stale} />
          <LiveIndicator status={live} />
          <Link to={`/accounts/${a.id}/edit`} className="btn btn-secondary btn-small">
            <Pencil aria-hidden="true" size={14} /> Edit
          </Link>
          <DeleteAccountButton account={a} />
        </div>
      </header>
      {arrival.saved ? <Alert tone="success" title="Changes saved." /> : null}

      {arrival.created ? (
        <Alert tone={arrival.autoError ? "warning" : "success"} title="Account created.">
          {arrival.autoJobId ? (
            <p>
              Auto-enrich is on, so its enrichment has started: <Link to={`/jobs/${arrival.autoJobId}`}>follow its progress</Link>.
            </p>
          ) : null}
          {arrival.autoError ? <p>It could not be enriched automatically: {arrival.autoError}</p> : null}
        </Alert>
      ) : null}
      <EnrichPanel account={a} />
      <AccountFields account={a} />
      <LastEnrichmentChanges metadata={a.metadata} labels={ACCOUNT_FIELD_LABELS} />

      <section className="card" aria-labelledby="contacts-title">
        <div className="card-header">
          <h2 id="contacts-title">Contacts</h2>
          {contacts.data ? <span className="muted">{contacts.data.length}</span> : null}
        </div>
        {contacts.isPending ? <Loading label="Loading contacts…" /> : null}
        {contacts.isError ? <ErrorAlert error={contacts.error} title="The contacts could not be loaded" /> : null}
        {contacts.data && contacts.data.length === 0 ? (
          <EmptyState title="No contacts at this account yet" />
        ) : null}
        {contacts.data && contacts.data.length > 0 ? <ContactsList contacts={contacts.data} /> : null}
        <AddContactForm account={a} />
      </section>

      <section className="card" aria-labelledby="history-title">
        <div className="card-header">
          <h2 id="history-title">Enrichment history</h2>
        </div>
        {jobs.isPending ? <Loading label="Loading job history…" /> : null}
        {jobs.isError ? <ErrorAlert error={jobs.error} title="The job history could not be loaded" /> : null}
        {jobs.data && jobs.data.length === 0 ? (
          <EmptyState title="Never enriched">
            <p>Press Enrich to look this company up in Apollo.io.</p>
          </EmptyState>
        ) : null}
        {jobs.data && jobs.data.length > 0 ? <JobHistory jobs={jobs.data} /> : null}
      </section>
    </main>
  );
}

function EnrichPanel({ account }: { account: AccountWithEnrichmentRow }) {
  const navigate = useNavigate();
  const enrich = useEnrichAccount();
  const enriching = account.enrichment_status === "enriching" && account.latest_job_id;
  return (
    <section className="card enrich-panel" aria-label="Enrichment">
      <div className="enrich-row">
        <div>
          {account.enriched_at ? (
            <p>
              Last enriched <RelativeTime iso={account.enriched_at} />{" "}
              <span className="muted">({formatDateTime(account.enriched_at)})</span>
            </p>
          ) : (
            <p>Not enriched yet. Apollo.io can fill in the industry, size, location and more from the domain.</p>
          )}
          {enriching ? (
            <p>
              An enrichment is running: <Link to={`/jobs/${account.latest_job_id}`}>follow its progress</Link>.
            </p>
          ) : null}
          {!account.domain ? <p className="muted">Add a domain to this account to enrich it.</p> : null}
        </div>
        <button
          type="button"
          className="btn btn-primary"
          disabled={enrich.isPending}
          onClick={() => enrich.mutate(account.id, { onSuccess: (job) => navigate(`/jobs/${job.id}`) })}
        >
          <Sparkles aria-hidden="true" size={16} />
          {enrich.isPending ? "Queueing…" : "Enrich"}
        </button>
      </div>
      {enrich.error ? <ErrorAlert error={enrich.error} /> : null}
    </section>
  );
}

type FieldSpec = { key: keyof AccountRow; label: string; render?: (a: AccountRow) => React.ReactNode };

const ACCOUNT_FIELDS: FieldSpec[] = [
  { key: "industry", label: "Industry" },
  { key: "employee_count", label: "Employees", render: (a) => formatNumber(a.employee_count) },
  { key: "annual_revenue", label: "Annual revenue", render: (a) => formatMoney(a.annual_revenue) },
  { key: "founded_year", label: "Founded" },
  { key: "city", label: "City" },
  { key: "state", label: "State / region" },
  { key: "country", label: "Country" },
  { key: "phone", label: "Phone" },
  {
    key: "website_url",
    label: "Website",
    render: (a) => <ExternalUrl href={a.website_url} />,
  },
  {
    key: "linkedin_url",
    label: "LinkedIn",
    render: (a) => <ExternalUrl href={a.linkedin_url} />,
  },
  { key: "description", label: "Description" },
];

const ACCOUNT_FIELD_LABELS: Record<string, string> = Object.fromEntries(ACCOUNT_FIELDS.map((f) => [f.key, f.label]));

function ExternalUrl({ href }: { href: string | null }) {
  if (!href) return null;
  const safe = /^https?:\/\//i.test(href) ? href : `https://${href}`;
  return (
    <a href={safe} target="_blank" rel="noreferrer noopener" className="break">
      {href.replace(/^https?:\/\//i, "")}
      <span className="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

export function AccountFields({ account }: { account: AccountRow }) {
  const enrichedAt = apolloEnrichedAt(account.metadata);
  const sample = isSampleEnrichment(account.metadata);
  return (
    <section className="card" aria-labelledby="fields-title">
      <div className="card-header">
        <h2 id="fields-title">Company details</h2>
        {enrichedAt ? (
          <span className="muted small">
            Each value says where it came from: typed by a person, or Apollo.io ({formatDateTime(enrichedAt)})
          </span>
        ) : null}
      </div>
      {sample ? <SampleDataNote /> : null}
      <dl className="details details-grid" data-testid="account-fields">
        {ACCOUNT_FIELDS.map(({ key, label, render }) => {
          const value = account[key];
          const shown = value === null || value === undefined || value === "" ? null : render ? render(account) : String(value);
          return (
            <div key={key} data-field={key} className={key === "description" ? "span-all" : undefined}>
              <dt>
                {label}
                {shown !== null ? <FieldSourceMark source={fieldSource(account.field_sources, key)} sample={sample} /> : null}
              </dt>
              <dd>{shown ?? <span className="muted">—</span>}</dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

function ContactsList({ contacts }: { contacts: ContactRow[] }) {
  return (
    <ul className="contact-list">
      {contacts.map((c) => (
        <ContactItem key={c.id} contact={c} />
      ))}
    </ul>
  );
}

function ContactItem({ contact }: { contact: ContactRow }) {
  const navigate = useNavigate();
  const enrich = useEnrichContact();
  const name = contactName(contact);
  const place = [contact.city, contact.state, contact.country].filter(Boolean).join(", ");
  return (
    <li className="contact" data-testid="contact">
      <div className="contact-main">
        <p className="contact-name">{name}</p>
        <p className="muted small">
          {contact.title ? (
            <>
              {contact.title}
              <FieldSourceMark source={fieldSource(contact.field_sources, "title")} sample={isSampleEnrichment(contact.metadata)} />
            </>
          ) : (
            "No title yet"
          )}
          {contact.seniority ? <> · {contact.seniority}</> : null}
        </p>
        <p className="small">
          {contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : <span className="muted">No email</span>}
          {place ? <span className="muted"> · {place}</span> : null}
        </p>
        {contact.enriched_at ? (
          <p className="muted small">
            Enriched <RelativeTime iso={contact.enriched_at} />
          </p>
        ) : null}
        {enrich.error ? <ErrorAlert error={enrich.error} /> : null}
      </div>
      <div className="contact-actions">
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={enrich.isPending}
          aria-label={`Enrich ${name}`}
          onClick={() => enrich.mutate(contact.id, { onSuccess: (job) => navigate(`/jobs/${job.id}`) })}
        >
          <Sparkles aria-hidden="true" size={14} />
          {enrich.isPending ? "Queueing…" : "Enrich"}
        </button>
        <DeleteContactButton contact={contact} name={name} />
      </div>
    </li>
  );
}

function JobHistory({ jobs }: { jobs: JobRow[] }) {
  return (
    <ul className="history" aria-label="Enrichment jobs">
      {jobs.map((job) => (
        <li key={job.id} className="history-item">
          <StatusBadge status={job.status} retrying={isWaitingForRetry(job)} />
          <Link to={`/jobs/${job.id}`}>
            <RelativeTime iso={job.created_at} />
          </Link>
          <span className="muted small">
            {job.status === "processing" ? `${displayPercentage(job)}% · ` : ""}
            attempt {job.attempts} of {job.max_attempts}
          </span>
          {job.error_message && job.status !== "completed" ? <span className="history-error small">{job.error_message}</span> : null}
        </li>
      ))}
    </ul>
  );
}
