// /storage/v1 contract: the real supabase-js (storage-js 2.x) against the local gateway's Storage
// subset, with access decided by RLS policies on storage.objects as on hosted. The test makes its
// own buckets and its own policies (members of workspace X may insert, select, update and delete
// objects whose first folder is X), so it does not depend on the product's `imports` policies.
// Run: STACK_INSTANCE=st STACK_PORT_BASE=58321 node_modules/.bin/deno test -A scripts/stack/tests/storage_test.ts
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { SupabaseClient } from "@supabase/supabase-js";
import { db, DEMO, newClient, OTHER, signedInClient } from "./auth_realtime_helpers.ts";
import { testConfig, testKeys } from "../../test/env.ts";

const MB = 1024 * 1024;

/** The error storage-js returns, with the fields it reads from Storage's answer. */
function apiError(error: unknown): { name: string; status: number; statusCode: string; message: string } {
  assert.ok(error, "expected an error");
  const e = error as { name: string; status: number; statusCode: string; message: string };
  return { name: e.name, status: e.status, statusCode: e.statusCode, message: e.message };
}

/** `size` bytes produced 1 MiB at a time from one reused buffer: nothing near `size` is ever allocated. */
function lazyBytes(size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(MB).fill(120);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(MB, size - sent);
      sent += n;
      controller.enqueue(n === MB ? chunk.slice() : chunk.slice(0, n));
    },
  });
}

async function filesOnDisk(): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
        else found.push(`${dir}/${entry.name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  await walk(`${testConfig.dir}/storage`);
  return found;
}

Deno.test("storage: objects through supabase-js, RLS on storage.objects as hosted", async (t) => {
  const sql = db();
  const run = crypto.randomUUID().slice(0, 8);
  const bucket = `st-test-${run}`;
  const small = `st-small-${run}`;
  const policy = `storage_test_${run}`;
  const member = `(storage.foldername(name))[1]::uuid in
    (select wm.workspace_id from public.workspace_members wm where wm.user_id = (select auth.uid()))`;
  const inBuckets = `bucket_id in ('${bucket}', '${small}')`;
  await sql`insert into storage.buckets (id, name) values (${bucket}, ${bucket})`;
  await sql`insert into storage.buckets (id, name, file_size_limit) values (${small}, ${small}, 1024)`;
  await sql.unsafe(`
    create policy ${policy}_insert on storage.objects for insert to authenticated with check (${inBuckets} and ${member});
    create policy ${policy}_select on storage.objects for select to authenticated using (${inBuckets} and ${member});
    create policy ${policy}_update on storage.objects for update to authenticated
      using (${inBuckets} and ${member}) with check (${inBuckets} and ${member});
    create policy ${policy}_delete on storage.objects for delete to authenticated using (${inBuckets} and ${member});`);

  const demo = await signedInClient(DEMO);
  const other = await signedInClient(OTHER);
  const anon = newClient();
  const service = newClient({ key: testKeys.server });
  const demoCsv = `${DEMO.workspace}/imports/accounts.csv`;
  const csv = "name,domain\nAcme,acme.com\n";
  const objectRow = async (b: string, name: string) => {
    const [row] =
      await sql`select owner, owner_id, version, metadata from storage.objects where bucket_id = ${b} and name = ${name}`;
    return row ?? null;
  };
  const files = (c: SupabaseClient, b = bucket) => c.storage.from(b);

  try {
    await t.step("upload and download round trip: bytes equal, content type kept, row owned by the user", async () => {
      const up = await files(demo).upload(demoCsv, new Blob([csv], { type: "text/csv" }));
      assert.equal(up.error, null);
      assert.equal(up.data?.path, demoCsv);
      assert.equal(up.data?.fullPath, `${bucket}/${demoCsv}`);
      assert.match(up.data?.id ?? "", /^[0-9a-f-]{36}$/);
      const down = await files(demo).download(demoCsv);
      assert.equal(down.error, null);
      assert.equal(await down.data!.text(), csv);
      assert.equal(down.data!.type, "text/csv");
      const row = await objectRow(bucket, demoCsv);
      assert.equal(row.owner, DEMO.id);
      assert.equal(row.owner_id, DEMO.id);
      assert.equal(row.metadata.size, csv.length);
      assert.equal(row.metadata.mimetype, "text/csv");
      assert.equal(row.metadata.cacheControl, "max-age=3600");
      assert.equal(row.metadata.eTag, `"${createHash("md5").update(csv).digest("hex")}"`);

      // A binary body (not multipart): content type and cache control come from the headers.
      const bytes = crypto.getRandomValues(new Uint8Array(4096));
      const binName = `${DEMO.workspace}/imports/raw.bin`;
      const bin = await files(demo).upload(binName, bytes, { contentType: "application/x-test", cacheControl: "60" });
      assert.equal(bin.error, null);
      const back = await files(demo).download(binName);
      assert.deepEqual(new Uint8Array(await back.data!.arrayBuffer()), bytes);
      assert.equal(back.data!.type, "application/x-test");
      assert.equal((await objectRow(bucket, binName)).metadata.cacheControl, "max-age=60");
    });

    await t.step("a Range request gets those bytes (206, Content-Range); past the end, 416", async () => {
      const bytes = crypto.getRandomValues(new Uint8Array(4096));
      const name = `${DEMO.workspace}/ranges/ranged.bin`; // its own folder: later steps count the imports folder
      assert.equal((await files(demo).upload(name, bytes)).error, null);
      const get = (range?: string) =>
        fetch(`${testConfig.apiUrl}/storage/v1/object/authenticated/${bucket}/${name}`, {
          headers: { apikey: testKeys.server, Authorization: `Bearer ${testKeys.server}`, ...(range ? { Range: range } : {}) },
        });
      for (const [range, start, end] of [["bytes=100-199", 100, 199], ["bytes=4000-", 4000, 4095], ["bytes=-10", 4086, 4095], ["bytes=4000-9999", 4000, 4095]] as const) {
        const response = await get(range);
        assert.equal(response.status, 206, range);
        assert.equal(response.headers.get("content-range"), `bytes ${start}-${end}/4096`, range);
        assert.equal(response.headers.get("content-length"), String(end - start + 1), range);
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), bytes.slice(start, end + 1), range);
      }
      const past = await get("bytes=5000-");
      assert.equal(past.status, 416);
      assert.equal(past.headers.get("content-range"), "bytes */4096");
      await past.body?.cancel();
      const whole = await get();
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get("accept-ranges"), "bytes");
      assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), bytes);
      assert.equal((await files(demo).remove([name])).error, null);
    });

    await t.step("upload into another workspace's folder: refused by RLS with Storage's 403 answer", async () => {
      const name = `${OTHER.workspace}/imports/intruder.csv`;
      const { data, error } = await files(demo).upload(name, new Blob(["x"], { type: "text/csv" }));
      assert.equal(data, null);
      assert.deepEqual(apiError(error), {
        name: "StorageApiError",
        status: 400,
        statusCode: "403",
        message: "new row violates row-level security policy",
      });
      assert.equal(await objectRow(bucket, name), null);
    });

    await t.step(
      "another workspace's object: not found on download, info and sign, absent from list, not removed",
      async () => {
        const down = await files(other).download(demoCsv);
        assert.equal(down.data, null);
        assert.deepEqual(apiError(down.error), {
          name: "StorageApiError",
          status: 400,
          statusCode: "404",
          message: "Object not found",
        });
        assert.equal((await files(other).exists(demoCsv)).data, false);
        const signed = await files(other).createSignedUrl(demoCsv, 60);
        assert.equal(apiError(signed.error).statusCode, "404");
        const listed = await files(other).list(`${DEMO.workspace}/imports`);
        assert.deepEqual(listed.data, []);
        const removed = await files(other).remove([demoCsv]);
        assert.equal(removed.error, null);
        assert.deepEqual(removed.data, []);
        assert.notEqual(await objectRow(bucket, demoCsv), null);
      },
    );

    await t.step("anon: upload refused by RLS, download not found", async () => {
      const up = await files(anon).upload(`${DEMO.workspace}/imports/anon.csv`, new Blob(["x"]));
      assert.equal(apiError(up.error).statusCode, "403");
      const down = await files(anon).download(demoCsv);
      assert.equal(apiError(down.error).statusCode, "404");
    });

    await t.step("same name again: 409 Duplicate without upsert; upsert and update replace the bytes", async () => {
      const dup = await files(demo).upload(demoCsv, new Blob(["again"], { type: "text/csv" }));
      assert.deepEqual(apiError(dup.error), {
        name: "StorageApiError",
        status: 400,
        statusCode: "409",
        message: "The resource already exists",
      });
      const before = (await objectRow(bucket, demoCsv)).version;
      const upsert = await files(demo).upload(demoCsv, new Blob(["v2"], { type: "text/csv" }), { upsert: true });
      assert.equal(upsert.error, null);
      assert.equal(await (await files(demo).download(demoCsv)).data!.text(), "v2");
      const update = await files(demo).update(demoCsv, new Blob(["v3"], { type: "text/plain" }));
      assert.equal(update.error, null);
      const v3 = await files(demo).download(demoCsv);
      assert.equal(await v3.data!.text(), "v3");
      assert.equal(v3.data!.type, "text/plain");
      assert.notEqual((await objectRow(bucket, demoCsv)).version, before);
      // The replaced versions' bytes are gone: one file for this object on disk.
      const versions = (await filesOnDisk()).filter((f) => f.endsWith(before as string));
      assert.deepEqual(versions, []);
    });

    await t.step("over the bucket's file_size_limit: Storage's 413 answer, nothing stored", async () => {
      const name = `${DEMO.workspace}/imports/big.csv`;
      const multipart = await files(demo, small).upload(name, new Blob([new Uint8Array(2048)], { type: "text/csv" }));
      assert.deepEqual(apiError(multipart.error), {
        name: "StorageApiError",
        status: 400,
        statusCode: "413",
        message: "The object exceeded the maximum allowed size",
      });
      const binary = await files(demo, small).upload(name, new Uint8Array(1025), { contentType: "text/csv" });
      assert.equal(apiError(binary.error).statusCode, "413");
      assert.equal(await objectRow(small, name), null);
      const atLimit = await files(demo, small).upload(name, new Uint8Array(1024), { contentType: "text/csv" });
      assert.equal(atLimit.error, null);
    });

    await t.step(
      "over the 50 MB global limit, streamed: refused with the 413 answer, no partial file left",
      async () => {
        const name = `${DEMO.workspace}/imports/huge.bin`;
        const { error } = await files(demo).upload(name, lazyBytes(50 * MB + 1), {
          contentType: "application/octet-stream",
        });
        assert.equal(apiError(error).statusCode, "413");
        assert.equal(apiError(error).message, "The object exceeded the maximum allowed size");
        assert.equal(await objectRow(bucket, name), null);
        assert.deepEqual((await filesOnDisk()).filter((f) => f.endsWith(".part")), []);
      },
    );

    await t.step("a 5 MB file uploads and downloads whole", async () => {
      const name = `${DEMO.workspace}/imports/five.bin`;
      const bytes = new Uint8Array(5 * MB);
      for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      const up = await files(demo).upload(name, new Blob([bytes], { type: "application/octet-stream" }));
      assert.equal(up.error, null);
      const down = await files(demo).download(name);
      const back = new Uint8Array(await down.data!.arrayBuffer());
      assert.equal(back.length, bytes.length);
      assert.equal(createHash("sha256").update(back).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
      assert.equal((await objectRow(bucket, name)).metadata.size, 5 * MB);
    });

    await t.step("list one folder level, info and a signed URL for the member", async () => {
      const top = await files(demo).list(DEMO.workspace);
      assert.equal(top.error, null);
      assert.deepEqual(top.data!.map((e) => [e.name, e.id]), [["imports", null]]);
      const inner = await files(demo).list(`${DEMO.workspace}/imports`);
      assert.deepEqual(inner.data!.map((e) => e.name), ["accounts.csv", "five.bin", "raw.bin"]);
      const info = await files(demo).info(demoCsv);
      assert.equal(info.error, null);
      assert.equal(info.data!.contentType, "text/plain");
      const signed = await files(demo).createSignedUrl(demoCsv, 60);
      assert.equal(signed.error, null);
      const response = await fetch(signed.data!.signedUrl);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "v3");
      const tampered = await fetch(signed.data!.signedUrl.replace("accounts.csv", "raw.bin"));
      assert.equal(tampered.status, 400);
      assert.equal((await tampered.json()).statusCode, "400");
    });

    await t.step("the service role (secret key) reads and lists any workspace's objects", async () => {
      const down = await files(service).download(demoCsv);
      assert.equal(down.error, null);
      assert.equal(await down.data!.text(), "v3");
      const listed = await files(service).list(`${DEMO.workspace}/imports`);
      assert.equal(listed.data!.length, 3);
    });

    await t.step("remove: the member's objects go, rows and bytes; a second remove finds nothing", async () => {
      const names = [demoCsv, `${DEMO.workspace}/imports/raw.bin`, `${DEMO.workspace}/imports/five.bin`];
      const versions =
        (await sql`select version from storage.objects where bucket_id = ${bucket} and name = any(${names})`)
          .map((r) => r.version as string);
      const removed = await files(demo).remove(names);
      assert.equal(removed.error, null);
      assert.deepEqual(removed.data!.map((o) => o.name).sort(), [...names].sort());
      const down = await files(demo).download(demoCsv);
      assert.equal(apiError(down.error).statusCode, "404");
      const onDisk = await filesOnDisk();
      assert.deepEqual(versions.filter((v) => onDisk.some((f) => f.endsWith(v))), []);
      const again = await files(demo).remove(names);
      assert.deepEqual(again.data, []);
    });
  } finally {
    await files(service, small).remove([`${DEMO.workspace}/imports/big.csv`]);
    await files(service).remove([`${DEMO.workspace}/imports/huge.bin`]);
    await sql`delete from storage.objects where bucket_id in (${bucket}, ${small})`;
    await sql`delete from storage.buckets where id in (${bucket}, ${small})`;
    for (const op of ["insert", "select", "update", "delete"]) {
      await sql.unsafe(`drop policy if exists ${policy}_${op} on storage.objects`);
    }
    await Promise.all([demo.auth.signOut({ scope: "local" }), other.auth.signOut({ scope: "local" })]);
    await sql.end();
  }
});
