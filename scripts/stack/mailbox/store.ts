// The mailbox's messages, kept in memory as Inbucket does by default: one copy per recipient, the
// oldest dropped past a cap, gone when the daemon stops.

export interface MailMessage {
  id: string;
  /** The recipient's address, lower-cased: the mailbox this copy lives in. */
  mailbox: string;
  from: string;
  to: string[];
  subject: string;
  /** ISO 8601. */
  date: string;
  html: string;
  text: string;
  /** Every href in the HTML body, entities decoded: what a reader would click. */
  links: string[];
  size: number;
}

export type MailSummary = Omit<MailMessage, "html" | "text" | "links">;

export interface NewMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text?: string;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

export function linksOf(html: string): string[] {
  return [...html.matchAll(/href\s*=\s*"([^"]*)"/gi)].map((m) => m[1].replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]));
}

/** The HTML's text, for clients that read text only. */
export function textOf(html: string): string {
  return html
    .replace(/<a\s[^>]*href\s*=\s*"([^"]*)"[^>]*>(.*?)<\/a>/gis, "$2 ($1)")
    .replace(/<\/(p|h[1-6]|div)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e])
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export const mailboxName = (address: string) => address.trim().toLowerCase();

export function summary(message: MailMessage): MailSummary {
  const { html: _html, text: _text, links: _links, ...rest } = message;
  return rest;
}

export class MailStore {
  #messages: MailMessage[] = [];
  #seq = 0;

  constructor(readonly capacity = 2000) {}

  /** Delivers one copy to each recipient's mailbox; returns the copies. */
  deliver(mail: NewMail): MailMessage[] {
    const date = new Date().toISOString();
    const text = mail.text ?? textOf(mail.html);
    const size = new TextEncoder().encode(mail.subject + mail.html + text).length;
    const copies = [...new Set(mail.to.map(mailboxName))].map((mailbox) => ({
      id: String(++this.#seq),
      mailbox,
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      date,
      html: mail.html,
      text,
      links: linksOf(mail.html),
      size,
    }));
    this.#messages.push(...copies);
    if (this.#messages.length > this.capacity) this.#messages.splice(0, this.#messages.length - this.capacity);
    return copies;
  }

  /** Oldest first; one mailbox's, or all of them. */
  list(mailbox?: string): MailMessage[] {
    if (mailbox === undefined) return [...this.#messages];
    const name = mailboxName(mailbox);
    return this.#messages.filter((m) => m.mailbox === name);
  }

  get(id: string): MailMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  /** Empties one mailbox, or all; returns how many messages went. */
  purge(mailbox?: string): number {
    const before = this.#messages.length;
    if (mailbox === undefined) this.#messages = [];
    else this.#messages = this.#messages.filter((m) => m.mailbox !== mailboxName(mailbox));
    return before - this.#messages.length;
  }
}
