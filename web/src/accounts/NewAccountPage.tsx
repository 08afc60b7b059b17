import { ArrowLeft } from "lucide-react";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { ErrorAlert } from "../components/Alert";
import { Field } from "../components/Field";
import { formatError } from "../lib/errors";
import { workspaceSettingsQuery } from "../settings/api";
import { useWorkspace } from "../workspace/WorkspaceProvider";
import { useCreateAccount, useEnrichAccount } from "./mutations";
import {
  EMPTY_ACCOUNT_FORM,
  hasErrors,
  normalizeDomain,
  toAccountInsert,
  validateAccountForm,
  type AccountFormErrors,
  type AccountFormValues,
} from "./validation";

export function NewAccountPage() {
  const { current } = useWorkspace();
  const navigate = useNavigate();
  const create = useCreateAccount();
  const enrich = useEnrichAccount();
  const settings = useQuery(workspaceSettingsQuery(current.id));
  const autoEnrich = Boolean(settings.data?.apollo_auto_enrich);
  const [values, setValues] = useState<AccountFormValues>(EMPTY_ACCOUNT_FORM);
  const [errors, setErrors] = useState<AccountFormErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const set = (key: keyof AccountFormValues) => (event: React.ChangeEvent<HTMLInputElement>) => {
    const next = { ...values, [key]: event.target.value };
    setValues(next);
    // After the first submit, errors follow the typing.
    if (submitted) setErrors(validateAccountForm(next));
  };

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    const found = validateAccountForm(values);
    setErrors(found);
    if (hasErrors(found)) {
      // Take the user to the first field that needs attention.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLInputElement>("[aria-invalid='true']")?.focus());
      return;
    }
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

  const typedDomain = values.domain.trim();
  const normalized = typedDomain ? normalizeDomain(typedDomain) : "";

  return (
    <main className="page page-narrow" aria-labelledby="new-account-title">
      <Link to="/accounts" className="back-link">
        <ArrowLeft aria-hidden="true" size={16} /> Accounts
      </Link>
      <h1 id="new-account-title">New account</h1>
      <p className="muted">Add a company to {current.name}. With its website domain, Apollo.io can fill in the rest.</p>

      {create.error ? <ErrorAlert error={create.error} title="The account could not be created" /> : null}

      <form ref={formRef} className="card stack" onSubmit={onSubmit} noValidate aria-label="New account">
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
          help={
            normalized && normalized !== typedDomain && !errors.domain
              ? `Saved as ${normalized}.`
              : autoEnrich
                ? "The company's website domain. Auto-enrich is on: it is enriched as soon as it is created."
                : "The company's website domain. Needed for enrichment."
          }
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
          <button type="submit" className="btn btn-primary" disabled={create.isPending || enrich.isPending}>
            {create.isPending || enrich.isPending ? "Creating…" : "Create account"}
          </button>
          <Link to="/accounts" className="btn btn-secondary">
            Cancel
          </Link>
        </div>
      </form>
    </main>
  );
}
