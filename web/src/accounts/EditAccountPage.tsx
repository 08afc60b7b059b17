// Editing an account: the same form as "New account", filled with the account's values. What a
// person changes here counts as typed, and enrichment keeps it (field_sources in the database).
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { BackLink } from "../components/BackLink";
import { Loading } from "../components/States";
import { AccountForm } from "./AccountForm";
import { useUpdateAccount } from "./mutations";
import { accountDetailQuery } from "./queries";
import { toAccountChanges, toAccountFormValues, type AccountFormValues } from "./validation";

export function EditAccountPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const account = useQuery(accountDetailQuery(id));
  const update = useUpdateAccount();
  const back = `/accounts/${id}`;

  function onSubmit(values: AccountFormValues) {
    update.mutate({ id, changes: toAccountChanges(values) }, { onSuccess: () => navigate(back, { state: { saved: true } }) });
  }

  return (
    <main className="page page-narrow" aria-labelledby="edit-account-title">
      <BackLink to={account.isSuccess ? back : "/accounts"}>{account.data?.name ?? "Accounts"}</BackLink>
      <h1 id="edit-account-title">Edit account</h1>
      {account.isPending ? <Loading label="Loading the account…" /> : null}
      {account.isError ? <ErrorAlert error={account.error} /> : null}
      {update.error ? <ErrorAlert error={update.error} title="The changes could not be saved" /> : null}
      {account.data ? (
        <>
          <p className="muted">Values you enter here are kept when the account is enriched again.</p>
          <AccountForm
            label="Edit account"
            initial={toAccountFormValues(account.data)}
            submitLabel="Save changes"
            pendingLabel="Saving…"
            pending={update.isPending}
            cancelTo={back}
            domainHelp="The company's website domain. Needed for enrichment."
            onSubmit={onSubmit}
          />
        </>
      ) : null}
    </main>
  );
}
