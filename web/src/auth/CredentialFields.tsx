// The email and new-password fields the sign-in, sign-up and password pages share.
import type { ReactNode } from "react";
import { Field } from "../components/Field";
import { MINIMUM_PASSWORD_LENGTH } from "./credentials";

export function EmailField({ value, onChange, error }: { value: string; onChange: (email: string) => void; error?: string }) {
  return (
    <Field
      label="Email"
      type="email"
      name="email"
      autoComplete="email"
      required
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

/** A password being chosen (sign-up, reset), with the rule it must meet. */
export function NewPasswordField(
  { label, name, value, onChange, error }: { label: ReactNode; name: string; value: string; onChange: (password: string) => void; error?: string },
) {
  return (
    <Field
      label={label}
      type="password"
      name={name}
      autoComplete="new-password"
      required
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      help={`At least ${MINIMUM_PASSWORD_LENGTH} characters.`}
    />
  );
}
