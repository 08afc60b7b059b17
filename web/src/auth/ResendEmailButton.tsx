import { useState } from "react";
import { Alert, ErrorAlert } from "../components/Alert";
import { secondsToWait } from "../lib/errors";
import { useCooldown } from "./cooldown";
import { RESEND_COOLDOWN_SECONDS } from "./redirect";

/**
 * "Resend email", with the wait Auth imposes between two emails to one address: the button counts
 * down, and a 429 from Auth restarts the count with the seconds it names.
 */
export function ResendEmailButton({
  send,
  initialCooldown = 0,
  label = "Resend email",
}: {
  /** Asks Auth for the email again; throws what went wrong. */
  send: () => Promise<void>;
  initialCooldown?: number;
  label?: string;
}) {
  const cooldown = useCooldown(initialCooldown);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function resend() {
    setSending(true);
    setSent(false);
    setError(null);
    try {
      await send();
      setSent(true);
      cooldown.start(RESEND_COOLDOWN_SECONDS);
    } catch (caught) {
      setError(caught);
      const wait = secondsToWait(caught instanceof Error ? caught.message : "");
      if (wait) cooldown.start(wait);
    } finally {
      setSending(false);
    }
  }

  const waiting = cooldown.remaining > 0;
  return (
    <div className="stack">
      {sent ? <Alert tone="success">Sent again. It can take a minute to arrive; check your spam folder too.</Alert> : null}
      {error ? <ErrorAlert error={error} /> : null}
      <button type="button" className="btn btn-secondary btn-block" onClick={resend} disabled={sending || waiting}>
        {sending ? "Sending…" : waiting ? `${label} (in ${cooldown.remaining} s)` : label}
      </button>
    </div>
  );
}
