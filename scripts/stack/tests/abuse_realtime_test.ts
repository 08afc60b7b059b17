// Abuse of /realtime/v1/websocket: no or wrong apikey, no upgrade, unknown protocol versions,
// malformed and random frames (fast-check, seeded), joins with forged, expired and doctored
// tokens, and a join that names another workspace's job. The HTTP refusals are 4xx with a JSON
// message; on the socket a bad frame is ignored or answered with an error reply, the socket stays
// usable, a bad token never subscribes, and no change of another workspace is ever delivered.
import assert from "node:assert/strict";
import { answer, assertClientError, badTokens, testEnv, testKeys, unchanged } from "./abuse_helpers.ts";
import { fc, fcOptions } from "./abuse_inputs.ts";
import { createFixture } from "./rest_helpers.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import { setTimeout as sleep } from "node:timers/promises";

const HTTP_URL = `${testEnv.API_URL}/realtime/v1/websocket`;
const WS_URL = HTTP_URL.replace(/^http/, "ws");
type Frame = [string | null, string | null, string, string, Record<string, unknown>];

class Socket {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closed = false;
  #ref = 0;

  private constructor(vsn: string) {
    this.ws = new WebSocket(`${WS_URL}?apikey=${testKeys.client}&vsn=${vsn}`);
    this.ws.onmessage = (e) => {
      try {
        this.frames.push(JSON.parse(String(e.data)));
      } catch { /* not for us */ }
    };
    this.ws.onclose = () => (this.closed = true);
  }

  static async open(vsn = "2.0.0"): Promise<Socket> {
    const socket = new Socket(vsn);
    await new Promise<void>((resolve, reject) => {
      socket.ws.onopen = () => resolve();
      socket.ws.onerror = (e) => reject(new Error(`websocket error: ${(e as ErrorEvent).message}`));
    });
    return socket;
  }

  send(data: string | Uint8Array) {
    this.ws.send(data);
  }

  /** Sends a frame and waits for its reply (null when none comes within timeoutMs). */
  async push(topic: string, event: string, payload: unknown, timeoutMs = 2000): Promise<Frame | null> {
    const ref = `probe-${++this.#ref}-${crypto.randomUUID().slice(0, 8)}`;
    this.ws.send(JSON.stringify([ref, ref, topic, event, payload]));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = this.frames.find((f) => f[1] === ref && f[3] === "phx_reply");
      if (reply) return reply;
      await sleep(10);
    }
    return null;
  }

  async heartbeat(): Promise<boolean> {
    const reply = await this.push("phoenix", "heartbeat", {});
    return (reply?.[4] as { status?: string } | undefined)?.status === "ok";
  }

  async close() {
    if (!this.closed) {
      const done = new Promise((r) => (this.ws.onclose = r));
      this.ws.close();
      await done;
    }
  }
}

function joinPayload(token: string, filter?: string, table = "jobs") {
  return {
    config: {
      broadcast: { ack: false, self: false },
      presence: { key: "", enabled: false },
      postgres_changes: [{ event: "*", schema: "public", table, ...(filter ? { filter } : {}) }],
      private: false,
    },
    access_token: token,
  };
}

const statusOf = (f: Frame | null) => (f?.[4] as { status?: string } | undefined)?.status;

Deno.test("abuse: /realtime/v1/websocket", async (t) => {
  const fx = await createFixture([{ name: "Alice RT", domain: "alice-rt.com" }]);
  const db = fx.db;
  const scope = { workspaceIds: [fx.alice.workspaceId, fx.bob.workspaceId], userIds: [fx.alice.id, fx.bob.id] };
  await registerTestJobType(db, "abuse_realtime");
  const [bobJob] = await db`
    insert into public.jobs (workspace_id, job_type, scheduled_for)
    values (${fx.bob.workspaceId}, 'abuse_realtime', now() + interval '1 day') returning id`;
  try {
    await t.step("the HTTP side: no apikey, a wrong one, no upgrade, unknown vsn: 4xx with a JSON message", async () => {
      assertClientError(await answer(await fetch(HTTP_URL)), "no apikey", [401]);
      assertClientError(await answer(await fetch(`${HTTP_URL}?apikey=wrong`)), "wrong apikey", [401]);
      assertClientError(await answer(await fetch(`${HTTP_URL}?apikey=${testKeys.client}`)), "no upgrade", [400]);
      assertClientError(
        await answer(await fetch(`${HTTP_URL}?apikey=${testKeys.client}&vsn=9.9.9`, { headers: { upgrade: "websocket" } })),
        "unknown vsn",
        [400],
      );
    });

    await t.step("malformed and random frames (fast-check) are ignored or refused; the socket keeps working", async () => {
      const socket = await Socket.open();
      try {
        await unchanged(db, scope, "random frames", async () => {
          for (
            const raw of [
              "",
              "not json",
              "[]",
              "[1,2,3]",
              '{"topic": 1}',
              "null",
              "[null,null,null,null,null]",
              '[null,"1","realtime:x","phx_join","not an object"]',
              '[null,"1","realtime:x","phx_join",{"config":"nope"}]',
              '[null,"1","realtime:x","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"auth","table":"users"}]}}]',
              '[null,"1","realtime:x","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public","table":"jobs","filter":"id=eq.1; drop table public.jobs"}]}}]',
              '[null,"1","realtime:x","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public","table":"accounts; drop table x"}]}}]',
              '[null,"1","realtime:x","broadcast",{"type":"broadcast","event":"x","payload":{}}]',
              '[null,"1","phoenix","phx_leave",{}]',
              "[".repeat(10_000) + "]".repeat(10_000),
            ]
          ) socket.send(raw);
          socket.send(new Uint8Array([3, 1, 1, 1, 1, 0, 0, 65, 66, 67, 68]));
          socket.send(new Uint8Array([0, 255, 255, 255]));
          await fc.assert(
            fc.asyncProperty(
              fc.oneof(
                fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
                fc.tuple(
                  fc.option(fc.string({ maxLength: 8 })),
                  fc.option(fc.string({ maxLength: 8 })),
                  fc.oneof(fc.constant("phoenix"), fc.string({ maxLength: 20 }).map((s) => `realtime:${s}`)),
                  fc.constantFrom("phx_join", "phx_leave", "heartbeat", "access_token", "broadcast", "presence", "x"),
                  fc.jsonValue({ maxDepth: 3 }),
                ).map((frame) => JSON.stringify(frame)),
              ),
              (text) => {
                socket.send(text);
              },
            ),
            fcOptions,
          );
          assert.equal(socket.closed, false, "the server kept the socket open");
          assert.equal(await socket.heartbeat(), true, "and still answers a heartbeat");
        });
      } finally {
        await socket.close();
      }
    });

    await t.step("joins with bad tokens are refused; none subscribes", async () => {
      const socket = await Socket.open();
      try {
        for (const [label, token] of await badTokens({ id: fx.alice.id, email: fx.alice.email })) {
          const reply = await socket.push(`realtime:abuse-${label.replace(/\W+/g, "-")}`, "phx_join", joinPayload(token));
          assert.equal(statusOf(reply), "error", `join with a ${label} token: ${JSON.stringify(reply)}`);
        }
        assert.equal(await socket.heartbeat(), true);
      } finally {
        await socket.close();
      }
    });

    await t.step("a join that names another workspace's job hears nothing of it", async () => {
      const socket = await Socket.open();
      try {
        const reply = await socket.push("realtime:abuse-peek", "phx_join", joinPayload(fx.alice.token, `id=eq.${bobJob.id}`));
        assert.equal(statusOf(reply), "ok", JSON.stringify(reply));
        await sleep(300);
        await db`update public.jobs set priority = 5 where id = ${bobJob.id}`;
        await db`insert into public.job_logs (job_id, workspace_id, message) values (${bobJob.id}, ${fx.bob.workspaceId}, 'secret')`;
        await sleep(1500);
        const leaked = socket.frames.filter((f) => f[3] === "postgres_changes");
        assert.deepEqual(leaked, [], "no change of Bob's job reached Alice");
      } finally {
        await socket.close();
      }
    });

    await t.step("the gateway is still healthy", async () => {
      const health = await fetch(`${testEnv.API_URL}/health`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
    });
  } finally {
    await fx.cleanup();
  }
});
