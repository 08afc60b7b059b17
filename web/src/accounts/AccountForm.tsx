// The account form of the "New account" and "Edit account" pages: its fields, the validation as the
// user types (after the first submit), and focus on the first field that needs attention.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { Field } from "../components/Field";
import { hasErrors, normalizeDomain, validateAccountForm, type AccountFormErrors, type AccountFormValues } from "./validation";

export function AccountForm({
  label,
  initial,
  submitLabel,
  pendingLabel,
  pending,
  cancelTo,
  domainHelp,
  onSubmit,
}: {
  label: string;
  initial: AccountFormValues;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  cancelTo: string;
  /** Help under the domain field when there is nothing more specific to say. */
  domainHelp: ReactNode;
  onSubmit: (values: AccountFormValues) => void;
}) {
  const [values, setValues] = useState<AccountFormValues>(initial);
  const [errors, setErrors] = useState<AccountFormErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // A refused submit moves focus to the first invalid field once, as the errors render (an effect
  // of the submit's own commit): a frame later the user may already be typing in another field.
  const [refusedSubmits, setRefusedSubmits] = useState(0);
  useEffect(() => {
    if (refusedSubmits > 0) formRef.current?.querySelector<HTMLInputElement>("[aria-invalid='true']")?.focus();
  }, [refusedSubmits]);

  const set = (key: keyof AccountFormValues) => (event: React.ChangeEvent<HTMLInputElement>) => {
    const next = { ...values, [key]: event.target.value };
    setValues(next);
    // After the first submit, errors follow the typing.
    if (submitted) setErrors(validateAccountForm(next));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    const found = validateAccountForm(values);
    setErrors(found);
    if (hasErrors(found)) {
      setRefusedSubmits((n) => n + 1);
      return;
    }
    onSubmit(values);
  }

  const typedDomain = values.domain.trim();
  const normalized = typedDomain ? normalizeDomain(typedDomain) : "";

  return (
    <form ref={formRef} className="card stack" onSubmit={submit} noValidate aria-label={label}>
      <Field label="Name" name="name" required value={values.name} onChange={set("name")} error={errors.name} autoComplete="organization" maxLength={200} />
      <Field
        label="Domain"
        name="domain"
        value={values.domain}
        onChange={set("domain")}
        error={errors.domain}
        placeholder="acme.com"
        inputMode="url"
        autoCapitalize="none"
        spellCheck={false}
        help={normalized && normalized !== typedDomain && !errors.domain ? `Saved as ${normalized}.` : domainHelp}
      />
      <div className="grid-2">
        <Field label="Industry" name="industry" value={values.industry} onChange={set("industry")} error={errors.industry} />
        <Field
          label="Employees"
          name="employee_count"
          inputMode="numeric"
          value={values.employee_count}
          onChange={set("employee_count")}
          error={errors.employee_count}
        />
        <Field label="City" name="city" value={values.city} onChange={set("city")} error={errors.city} />
        <Field label="Country" name="country" value={values.country} onChange={set("country")} error={errors.country} />
      </div>
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
        <Link to={cancelTo} className="btn btn-secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}
