// The stack's local mailbox (scripts/stack/mailbox/), as tests read it: the messages Auth sent to an
// address, and the links in them.
import type { MailSummary } from "../stack/mailbox/store.ts";
import { testEnv } from "./env.ts";

export type { MailSummary };

/** One message as the mailbox's API answers it: the summary, its links and its body. */
export interface Mail extends MailSummary {
  links: string[];
  body: { html: string; text: string };
}

async function call(method: string, path: string): Promise<unknown> {
  const response = await fetch(`${testEnv.MAILBOX_URL}/api/v1/${path}`, { method });
  const text = await response.text();
  if (!response.ok) throw new Error(`mailbox ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

export const mailbox = {
  /** The address's messages, oldest first. */
  list: (address: string) => call("GET", `mailbox/${encodeURIComponent(address)}`) as Promise<MailSummary[]>,
  read: (address: string, id: string) => call("GET", `mailbox/${encodeURIComponent(address)}/${id}`) as Promise<Mail>,
  purge: (address: string) => call("DELETE", `mailbox/${encodeURIComponent(address)}`),
  /** The newest message to the address; fails when there is none. */
  async latest(address: string): Promise<Mail> {
    const messages = await mailbox.list(address);
    if (messages.length === 0) throw new Error(`no mail to ${address} in the stack's mailbox`);
    return await mailbox.read(address, messages.at(-1)!.id);
  },
};

/** The /auth/v1/verify link of an Auth email (type signup or recovery). */
export function verifyLinkIn(mail: Mail, type: "signup" | "recovery"): URL {
  const link = mail.links.map((l) => new URL(l)).find((u) => u.pathname === "/auth/v1/verify");
  if (!link) throw new Error(`no /auth/v1/verify link in "${mail.subject}": ${mail.links.join(", ")}`);
  if (link.searchParams.get("type") !== type) throw new Error(`the link is of type ${link.searchParams.get("type")}, not ${type}`);
  return link;
}

/** Opens a link as a browser would, without following the redirect: its status and where it points. */
export async function openLink(link: URL | string): Promise<{ status: number; location: string }> {
  const response = await fetch(link, { redirect: "manual" });
  await response.body?.cancel();
  return { status: response.status, location: response.headers.get("location") ?? "" };
}

/** The key/value pairs in a URL's fragment, in order. */
export function fragmentOf(location: string): Array<[string, string]> {
  const hash = location.includes("#") ? location.slice(location.indexOf("#") + 1) : "";
  return [...new URLSearchParams(hash)];
}
