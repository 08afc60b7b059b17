// Adding a contact at an account: a name or an email is enough (the database's
// contacts_identifiable rule); the email follows the product's one rule (_shared/email.ts).
import { UserPlus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { isValidEmail } from "../../../supabase/functions/_shared/email.ts";
import { ErrorAlert } from "../components/Alert";
import { Field } from "../components/Field";
import type { AccountRow } from "../lib/database.types";
import { useAddContact } from "./mutations";

interface ContactFormValues {
  first_name: string;
  last_name: string;
  email: string;
  title: string;
}

const EMPTY: ContactFormValues = { first_name: "", last_name: "", email: "", title: "" };

export function validateContactForm(values: ContactFormValues): Partial<Record<keyof ContactFormValues, string>> {
  const errors: Partial<Record<keyof ContactFormValues, string>> = {};
  const email = values.email.trim();
  if (email && !isValidEmail(email)) errors.email = "Enter an email address like name@company.com.";
  if (!email && !values.first_name.trim() && !values.last_name.trim()) errors.first_name = "Enter a name or an email address.";
  for (const key of ["first_name", "last_name", "title"] as const) {
    if (values[key].trim().length > 200) errors[key] = "Keep this under 200 characters.";
  }
  return errors;
}

export function AddContactForm({ account }: { account: Pick<AccountRow, "id" | "workspace_id"> }) {
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<ContactFormValues>(EMPTY);
  const [errors, setErrors] = useState<ReturnType<typeof validateContactForm>>({});
  const add = useAddContact(account.id);

  if (!open) {
    return (
      <div className="button-row add-contact">
        <button type="button" className="btn btn-secondary btn-small" onClick={() => setOpen(true)}>
          <UserPlus aria-hidden="true" size={14} /> Add a contact
        </button>
      </div>
    );
  }

  const set = (key: keyof ContactFormValues) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setValues({ ...values, [key]: event.target.value });
  const orNull = (value: string) => value.trim() || null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateContactForm(values);
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    add.mutate(
      {
        workspace_id: account.workspace_id,
        account_id: account.id,
        first_name: orNull(values.first_name),
        last_name: orNull(values.last_name),
        email: values.email.trim() ? values.email.trim().toLowerCase() : null,
        title: orNull(values.title),
      },
      {
        onSuccess: () => {
          setValues(EMPTY);
          setOpen(false);
        },
      },
    );
  }

  return (
    <form className="stack add-contact" onSubmit={submit} noValidate aria-label="Add a contact">
      {add.error ? <ErrorAlert error={add.error} title="The contact could not be added" /> : null}
      <div className="grid-2">
        <Field label="First name" name="first_name" value={values.first_name} onChange={set("first_name")} error={errors.first_name} autoFocus />
        <Field label="Last name" name="last_name" value={values.last_name} onChange={set("last_name")} error={errors.last_name} />
        <Field label="Email" name="email" type="email" value={values.email} onChange={set("email")} error={errors.email} autoCapitalize="none" />
        <Field label="Title" name="title" value={values.title} onChange={set("title")} error={errors.title} />
      </div>
      <div className="button-row">
        <button type="submit" className="btn btn-primary btn-small" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add contact"}
        </button>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
