// Deleting an account or a contact, after a confirmation (ConfirmDialog). The database cancels a
// pending or running enrichment of the deleted record first.
import { Trash2 } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { ConfirmDialog } from "../components/ConfirmDialog";
import type { AccountRow, ContactRow } from "../lib/database.types";
import { useDeleteAccount, useDeleteContact } from "./mutations";

export function DeleteAccountButton({ account }: { account: Pick<AccountRow, "id" | "name"> }) {
  const [asking, setAsking] = useState(false);
  const remove = useDeleteAccount();
  const navigate = useNavigate();
  return (
    <>
      <button type="button" className="btn btn-secondary btn-small" onClick={() => setAsking(true)}>
        <Trash2 aria-hidden="true" size={14} /> Delete
      </button>
      <ConfirmDialog
        open={asking}
        title={`Delete ${account.name}?`}
        confirmLabel="Delete account"
        destructive
        busy={remove.isPending}
        onConfirm={() => remove.mutate(account.id, { onSuccess: () => navigate("/accounts", { state: { deleted: account.name } }) })}
        onCancel={() => setAsking(false)}
      >
        <p>Its contacts are kept, without an account. An enrichment that is queued or running is cancelled.</p>
        {remove.error ? <ErrorAlert error={remove.error} /> : null}
      </ConfirmDialog>
    </>
  );
}

export function DeleteContactButton({ contact, name }: { contact: Pick<ContactRow, "id" | "account_id">; name: string }) {
  const [asking, setAsking] = useState(false);
  const remove = useDeleteContact(contact.account_id ?? "");
  return (
    <>
      <button type="button" className="btn btn-secondary btn-small" aria-label={`Delete ${name}`} onClick={() => setAsking(true)}>
        <Trash2 aria-hidden="true" size={14} />
      </button>
      <ConfirmDialog
        open={asking}
        title={`Delete ${name}?`}
        confirmLabel="Delete contact"
        destructive
        busy={remove.isPending}
        onConfirm={() => remove.mutate(contact.id, { onSuccess: () => setAsking(false) })}
        onCancel={() => setAsking(false)}
      >
        {remove.error ? <ErrorAlert error={remove.error} /> : null}
      </ConfirmDialog>
    </>
  );
}
