import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { BackLink } from "../components/BackLink";
import { formatError } from "../lib/errors";
import { workspaceSettingsQuery } from "../settings/api";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { AccountForm } from "./AccountForm";
import { useCreateAccount, useEnrichAccount } from "./mutations";
import { EMPTY_ACCOUNT_FORM, toAccountInsert, type AccountFormValues } from "./validation";

export function NewAccountPage() {
  const { current } = useWorkspace();
  const navigate = useNavigate();
  const create = useCreateAccount();
  const enrich = useEnrichAccount();
  const settings = useQuery(workspaceSettingsQuery(current.id));
  const autoEnrich = Boolean(settings.data?.apollo_auto_enrich);

  function onSubmit(values: AccountFormValues) {
    create.mutate(toAccountInsert(values, current.id), {
      onSuccess: (account) => {
        const open = (state: Record<string, unknown>) => navigate(`/accounts/${account.id}`, { state: { created: true, ...state } });
        // Auto-enrich: the database has queued the enrichment (trigger auto_enrich); enqueue_enrichment
        // returns that job, so the page can link to it.
        if (!autoEnrich || !account.domain) return open({});
        enrich.mutate(account.id, {
          onSuccess: (job) => open({ autoJobId: job.id }),
          onError: (error) => open({ autoError: formatError(error).message }),
        });
      },
    });
  }

  return (
    <main className="page page-narrow" aria-labelledby="new-account-title">
      <BackLink to="/accounts">Accounts</BackLink>
      <h1 id="new-account-title">New account</h1>
      <p className="muted">Add a company to {current.name}. With its website domain, Apollo.io can fill in the rest.</p>

      {create.error ? <ErrorAlert error={create.error} title="The account could not be created" /> : null}

      <AccountForm
        label="New account"
        initial={EMPTY_ACCOUNT_FORM}
        submitLabel="Create account"
        pendingLabel="Creating…"
        pending={create.isPending || enrich.isPending}
        cancelTo="/accounts"
        domainHelp={
          autoEnrich
            ? "The company's website domain. Auto-enrich is on: it is enriched as soon as it is created."
            : "The company's website domain. Needed for enrichment."
        }
        onSubmit={onSubmit}
      />
    </main>
  );
}
