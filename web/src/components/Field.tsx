import { useId, type InputHTMLAttributes, type ReactNode } from "react";

/** A labelled input with its help text and error wired up through aria-describedby. */
export function Field({
  label,
  error,
  help,
  children,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode; error?: string; help?: ReactNode; children?: ReactNode }) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {input.required ? <span className="required" aria-hidden="true"> *</span> : null}
      </label>
      <div className="field-control">
        <input id={id} className="input" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
        {children}
      </div>
      {help ? (
        <p id={helpId} className="field-help">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
