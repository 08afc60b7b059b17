// Validating the account form (new and edit) before it reaches the database, with the database's own
// rules in words a user understands. The domain rule is the product's one
// (supabase/functions/_shared/domain.ts, which the database's rule is tested against).
import { isValidDomain, normalizeDomain } from "../../../supabase/functions/_shared/domain.ts";
import type { AccountInsert, AccountRow, AccountUpdate } from "../lib/database.types";

export { normalizeDomain };

export interface AccountFormValues {
  name: string;
  domain: string;
  industry: string;
  employee_count: string;
  city: string;
  country: string;
}

export type AccountFormErrors = Partial<Record<keyof AccountFormValues, string>>;

export const EMPTY_ACCOUNT_FORM: AccountFormValues = {
  name: "",
  domain: "",
  industry: "",
  employee_count: "",
  city: "",
  country: "",
};

export function validateAccountForm(values: AccountFormValues): AccountFormErrors {
  const errors: AccountFormErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = "Enter the company's name.";
  else if (name.length > 200) errors.name = "Keep the name under 200 characters.";

  if (values.domain.trim()) {
    const domain = normalizeDomain(values.domain);
    if (!isValidDomain(domain)) {
      errors.domain = "Enter a website domain like acme.com (letters, digits, hyphens and dots).";
    }
  }

  const employees = values.employee_count.trim();
  if (employees && !/^\d+$/.test(employees.replace(/[,_\s]/g, ""))) {
    errors.employee_count = "Enter a whole number of employees, e.g. 250.";
  } else if (employees && Number(employees.replace(/[,_\s]/g, "")) > 2_147_483_647) {
    errors.employee_count = "That number is too large.";
  }

  for (const key of ["industry", "city", "country"] as const) {
    if (values[key].trim().length > 200) errors[key] = "Keep this under 200 characters.";
  }
  return errors;
}

export function hasErrors(errors: AccountFormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const orNull = (value: string) => (value.trim() ? value.trim() : null);

/** The form's values for an existing account (what the edit page starts from). */
export function toAccountFormValues(account: Pick<AccountRow, keyof AccountFormValues>): AccountFormValues {
  const text = (value: string | number | null) => (value === null ? "" : String(value));
  return {
    name: account.name,
    domain: text(account.domain),
    industry: text(account.industry),
    employee_count: text(account.employee_count),
    city: text(account.city),
    country: text(account.country),
  };
}

/** The columns the form writes (only call with values that passed validation). */
export function toAccountChanges(values: AccountFormValues): AccountUpdate & { name: string } {
  const employees = values.employee_count.replace(/[,_\s]/g, "");
  return {
    name: values.name.trim(),
    domain: values.domain.trim() ? normalizeDomain(values.domain) : null,
    industry: orNull(values.industry),
    employee_count: employees ? Number(employees) : null,
    city: orNull(values.city),
    country: orNull(values.country),
  };
}

/** The row to insert (only call with values that passed validation). */
export function toAccountInsert(values: AccountFormValues, workspaceId: string): AccountInsert {
  return { workspace_id: workspaceId, ...toAccountChanges(values) };
}
