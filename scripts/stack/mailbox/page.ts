// The mailbox's pages for a developer's browser: the messages (newest first, optionally of one
// address) and one message, its body in a sandboxed frame whose links open in the tab itself.
import type { MailMessage } from "./store.ts";

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2937}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e5e7eb}
th{font-weight:600;color:#6b7280}a{color:#2563eb}iframe{width:100%;height:24rem;border:1px solid #e5e7eb;border-radius:6px}
.muted{color:#6b7280}form{margin:1rem 0}input{padding:.3rem .5rem;min-width:18rem}`;

function layout(title: string, body: string, refresh = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>` +
    (refresh ? `<meta http-equiv="refresh" content="5">` : "") +
    `<style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function listPage(messages: MailMessage[], address: string | null): string {
  const rows = [...messages].reverse().map((m) =>
    `<tr><td>${escape(new Date(m.date).toLocaleString("en-GB"))}</td>` +
    `<td><a href="/?to=${encodeURIComponent(m.mailbox)}">${escape(m.mailbox)}</a></td>` +
    `<td><a href="/m/${encodeURIComponent(m.id)}">${escape(m.subject || "(no subject)")}</a></td></tr>`
  ).join("");
  const heading = address ? `Mail to ${escape(address)}` : "Local mailbox";
  return layout(
    heading,
    `<h1>${heading}</h1>
<p class="muted">Everything the local stack's Auth sends (sign-up confirmations, password resets) lands here instead of
being mailed. JSON: <code>GET /api/v1/mailbox/&lt;address&gt;</code>. This page refreshes every 5 s.</p>
<form method="get" action="/"><input name="to" type="email" placeholder="an address" value="${escape(address ?? "")}">
<button type="submit">Show</button> ${address ? `<a href="/">all messages</a>` : ""}</form>
${rows ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>` : `<p>No messages yet.</p>`}`,
    true,
  );
}

export function messagePage(message: MailMessage): string {
  // The links go to the top window: opening a confirmation link should land in the app, as from a mail client.
  const frame = `<base target="_top">${message.html}`;
  return layout(
    message.subject,
    `<p><a href="/">All messages</a> · <a href="/?to=${encodeURIComponent(message.mailbox)}">${
      escape(message.mailbox)
    }</a></p>
<h1>${escape(message.subject || "(no subject)")}</h1>
<table><tbody><tr><th>From</th><td>${escape(message.from)}</td></tr><tr><th>To</th><td>${escape(message.to.join(", "))}</td></tr>
<tr><th>Date</th><td>${escape(new Date(message.date).toLocaleString("en-GB"))}</td></tr></tbody></table>
<p></p><iframe title="Message body" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="${escape(frame)}"></iframe>`,
  );
}

export function notFoundPage(): string {
  return layout("Not found", `<h1>No such message</h1><p><a href="/">All messages</a></p>`);
}
