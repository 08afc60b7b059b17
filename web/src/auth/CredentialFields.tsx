// The email and password fields the sign-in, sign-up and password pages share.
import type { ComponentProps, ReactNode } from "react";
import { Field } from "../components/Field";
import { MINIMUM_PASSWORD_LENGTH } from "./credentials";

/** What every credential field takes from its page: a string state and its error. */
type CredentialProps = { value: string; onChange: (value: string) => void; error?: string };

/** Every credential is required and kept as a string. */
function CredentialField({ onChange, ...field }: Omit<ComponentProps<typeof Field>, keyof CredentialProps> & CredentialProps) {
  return <Field required {...field} onChange={(e) => onChange(e.target.value)} />;
}

export function EmailField(props: CredentialProps) {
  return <CredentialField label="Email" type="email" name="email" autoComplete="email" {...props} />;
}

/** A password: the one the user has (current-password) or one being chosen (new-password). */
export function PasswordField(
  props: CredentialProps & { label: ReactNode; name: string; autoComplete: "current-password" | "new-password"; help?: ReactNode },
) {
  return <CredentialField type="password" {...props} />;
}

/** A password being chosen (sign-up, reset), with the rule it must meet. */
export function NewPasswordField(props: CredentialProps & { label: ReactNode; name: string }) {
  return <PasswordField autoComplete="new-password" help={`At least ${MINIMUM_PASSWORD_LENGTH} characters.`} {...props} />;
}
