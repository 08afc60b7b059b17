// The local mailbox's HTTP API, in the spirit of Inbucket's (the Supabase CLI's mail catcher):
//   POST   /api/v1/send                     {from, to[], subject, html, text?}  (the stack's Auth mails here)
//   GET    /api/v1/mailbox/<address>        the address's messages, oldest first (summaries)
//   GET    /api/v1/mailbox/<address>/<id>   one message: body.html, body.text, links
//   DELETE /api/v1/mailbox/<address>        empties the address's mailbox
//   GET    /api/v1/messages                 every message (summaries); DELETE empties them all
//   GET    /                                the HTML page (?to=<address> for one mailbox), /m/<id> one message
import { z } from "zod";
import { listPage, messagePage, notFoundPage } from "./page.ts";
import { MailStore, summary } from "./store.ts";

const SEND_LIMIT_BYTES = 1024 * 1024;

const SendBody = z.object({
  from: z.string().min(1).max(500),
  to: z.array(z.string().min(3).max(320).regex(/^[^@\s]+@[^@\s]+$/, "an email address")).min(1).max(50),
  subject: z.string().max(1000),
  html: z.string().max(SEND_LIMIT_BYTES),
  text: z.string().max(SEND_LIMIT_BYTES).optional(),
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
const html = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });
const error = (status: number, message: string) => json({ error: message }, status);

export function createMailbox(store = new MailStore()) {
  async function send(req: Request): Promise<Response> {
    if (Number(req.headers.get("content-length") ?? 0) > SEND_LIMIT_BYTES) return error(413, "message too large");
    let raw: unknown;
    try {
      raw = JSON.parse(await req.text());
    } catch {
      return error(400, "the body must be JSON: {from, to: [addresses], subject, html, text?}");
    }
    const parsed = SendBody.safeParse(raw);
    if (!parsed.success) return error(400, z.prettifyError(parsed.error));
    const copies = store.deliver(parsed.data);
    return json({ ids: copies.map((c) => c.id) }, 201);
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const route = `${req.method} /${parts.length ? parts[0] : ""}`;
    if (parts[0] === "api" && parts[1] === "v1") {
      const [, , resource, address, id] = parts;
      if (resource === "send" && parts.length === 3) return req.method === "POST" ? await send(req) : error(405, "POST only");
      if (resource === "messages" && parts.length === 3) {
        if (req.method === "GET") return json(store.list().map(summary));
        if (req.method === "DELETE") return json({ deleted: store.purge() });
        return error(405, "GET or DELETE");
      }
      if (resource === "mailbox" && address && parts.length === 4) {
        if (req.method === "GET") return json(store.list(address).map(summary));
        if (req.method === "DELETE") return json({ deleted: store.purge(address) });
        return error(405, "GET or DELETE");
      }
      if (resource === "mailbox" && address && id && parts.length === 5 && req.method === "GET") {
        const message = store.get(id);
        if (!message || message.mailbox !== address.trim().toLowerCase()) return error(404, "no such message");
        const { html: body, text, ...rest } = message;
        return json({ ...rest, body: { html: body, text } });
      }
      return error(404, "no such route: see scripts/stack/mailbox/README.md");
    }
    if (route === "GET /") {
      const to = url.searchParams.get("to")?.trim() || null;
      return html(listPage(store.list(to ?? undefined), to));
    }
    if (req.method === "GET" && parts[0] === "m" && parts.length === 2) {
      const message = store.get(parts[1]);
      return message ? html(messagePage(message)) : html(notFoundPage(), 404);
    }
    if (route === "GET /health") return json({ status: "ok", messages: store.list().length });
    return error(404, "no such route");
  }

  return { handler, store };
}

/** A mailbox on a port (0: any free one), for the stack daemon and for tests. */
export function startMailbox(options: { port?: number; hostname?: string } = {}) {
  const mailbox = createMailbox();
  const server = Deno.serve({ port: options.port ?? 0, hostname: options.hostname ?? "127.0.0.1", onListen: () => {} }, (req) =>
    mailbox.handler(req).catch((e) => error(500, (e as Error).message)));
  const { port } = server.addr as Deno.NetAddr;
  return { url: `http://127.0.0.1:${port}`, port, store: mailbox.store, close: () => server.shutdown() };
}
