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

/** The password the user has (sign-in). */
export function CurrentPasswordField(props: CredentialProps & { help?: ReactNode }) {
  return <CredentialField label="Password" type="password" name="password" autoComplete="current-password" {...props} />;
}

/** A password being chosen (sign-up, reset), with the rule it must meet; typed again (`repeat`), without it. */
export function NewPasswordField({ repeat = false, ...props }: CredentialProps & { label: ReactNode; name: string; repeat?: boolean }) {
  const help = repeat ? undefined : `At least ${MINIMUM_PASSWORD_LENGTH} characters.`;
  return <CredentialField type="password" autoComplete="new-password" help={help} {...props} />;
}
