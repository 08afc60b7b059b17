// The local mailbox's API on a mailbox of its own (random port): delivery per recipient, addresses
// matched case-insensitively, the links of a message, emptying a mailbox, refusals of bad input,
// and a page that shows what arrived without running anything a message holds.
import assert from "node:assert/strict";
import { startMailbox } from "../mailbox/server.ts";

async function withMailbox(fn: (url: string) => Promise<void>) {
  const mailbox = startMailbox();
  try {
    await fn(mailbox.url);
  } finally {
    await mailbox.close();
  }
}

const send = (url: string, body: unknown) =>
  fetch(`${url}/api/v1/send`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
const get = (url: string, path: string) => fetch(`${url}${path}`).then(async (r) => ({ status: r.status, body: await r.json() }));

Deno.test("mailbox: a message lands in each recipient's mailbox, with its links; DELETE empties one mailbox", async () => {
  await withMailbox(async (url) => {
    const html = `<p><a href="http://127.0.0.1:1/auth/v1/verify?token=abc&amp;type=signup&amp;redirect_to=http://x/">Confirm</a></p>`;
    const sent = await send(url, { from: "Auth <a@b.c>", to: ["Ann@Example.com", "bob@example.com"], subject: "Hi", html });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.ids.length, 2);

    const list = await get(url, "/api/v1/mailbox/ann@example.COM");
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].subject, "Hi");
    assert.equal(list.body[0].mailbox, "ann@example.com");
    assert.equal(list.body[0].body, undefined, "the list has summaries only");

    const message = await get(url, `/api/v1/mailbox/ann@example.com/${list.body[0].id}`);
    assert.deepEqual(message.body.links, ["http://127.0.0.1:1/auth/v1/verify?token=abc&type=signup&redirect_to=http://x/"]);
    assert.equal(message.body.body.html, html);
    assert.match(message.body.body.text, /Confirm \(http:\/\/127\.0\.0\.1:1\/auth\/v1\/verify\?token=abc&type=signup/);
    assert.equal((await get(url, `/api/v1/mailbox/bob@example.com/${list.body[0].id}`)).status, 404, "not bob's copy");

    assert.deepEqual((await fetch(`${url}/api/v1/mailbox/ann@example.com`, { method: "DELETE" }).then((r) => r.json())), { deleted: 1 });
    assert.equal((await get(url, "/api/v1/mailbox/ann@example.com")).body.length, 0);
    assert.equal((await get(url, "/api/v1/mailbox/bob@example.com")).body.length, 1);
    assert.equal((await get(url, "/api/v1/messages")).body.length, 1);
  });
});

Deno.test("mailbox: bad input is a 400 with a reason; unknown routes 404", async () => {
  await withMailbox(async (url) => {
    assert.equal((await send(url, { from: "a", to: [], subject: "x", html: "" })).status, 400);
    assert.equal((await send(url, { from: "a", to: ["not an address"], subject: "x", html: "" })).status, 400);
    const broken = await fetch(`${url}/api/v1/send`, { method: "POST", body: "{" });
    assert.equal(broken.status, 400);
    assert.match((await broken.json()).error, /must be JSON/);
    assert.equal((await get(url, "/api/v1/nope")).status, 404);
    assert.equal((await get(url, "/api/v1/mailbox/a@b.c/999")).status, 404);
  });
});

Deno.test("mailbox: the HTML pages list the messages and show one in a sandboxed frame, escaped", async () => {
  await withMailbox(async (url) => {
    await send(url, { from: "Auth <a@b.c>", to: ["ann@example.com"], subject: "<script>alert(1)</script>", html: "<p>hello</p>" });
    const list = await (await fetch(`${url}/?to=ann@example.com`)).text();
    assert.match(list, /Mail to ann@example\.com/);
    assert.match(list, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(list, /<script>/);
    const id = (await get(url, "/api/v1/mailbox/ann@example.com")).body[0].id;
    const page = await (await fetch(`${url}/m/${id}`)).text();
    assert.match(page, /<iframe title="Message body" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="&lt;base target=&quot;_top&quot;&gt;&lt;p&gt;hello&lt;\/p&gt;">/);
    assert.equal((await fetch(`${url}/m/999`)).status, 404);
  });
});
