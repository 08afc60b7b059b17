import { useState } from "react";
import { Field } from "../components/Field";
import { UserFacingError } from "../lib/errors";
import { validateEmail } from "./credentials";
import { ResendEmailButton } from "./ResendEmailButton";

/** An email field and a button that asks Auth for a new link to that address (a link page knows no address). */
export function NewLinkForm({ send, label }: { send: (email: string) => Promise<void>; label: string }) {
  const [email, setEmail] = useState("");
  async function submit() {
    const problem = validateEmail(email);
    if (problem) throw new UserFacingError(problem);
    await send(email.trim());
  }
  return (
    <div className="stack">
      <Field label="Email" type="email" name="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      <ResendEmailButton send={submit} label={label} />
    </div>
  );
}
