// A clone the postgres OS user cannot reach (under /root, a mktemp -d) still gets a working stack:
// the instance's files live where that user can reach them, linked from .stack/<instance>.
import assert from "node:assert/strict";
import { instanceDir } from "../instance-dir.ts";

Deno.test({
  name: "instanceDir: a clone closed to others keeps its instance in /var/lib, linked from .stack",
  ignore: Deno.uid() !== 0, // Postgres runs as another user only when the stack runs as root
  fn() {
    const clone = Deno.makeTempDirSync({ dir: "/root", prefix: "closed-clone-" }); // mode 700: postgres cannot traverse it
    try {
      const dir = instanceDir(clone, "probe");
      assert.match(dir, /^\/var\/lib\/enrichment-jobs-stack\/root_closed-clone-[^/]+\/probe$/);
      assert.equal(Deno.readLinkSync(`${clone}/.stack/probe`), dir);
      assert.equal(new Deno.Command("runuser", { args: ["-u", "postgres", "--", "test", "-x", dir] }).outputSync().success, true,
        "the postgres user can reach it");
      assert.equal(instanceDir(clone, "probe"), dir, "the link is followed next time");
      Deno.removeSync(dir, { recursive: true }); // what stack:reset does
      assert.equal(instanceDir(clone, "probe"), dir, "after a reset the same place is used again");
    } finally {
      Deno.removeSync(clone, { recursive: true });
      Deno.removeSync(`/var/lib/enrichment-jobs-stack/${clone.slice(1).replaceAll("/", "_")}`, { recursive: true });
    }
  },
});

Deno.test("instanceDir: a clone everyone can reach keeps .stack/<instance>", () => {
  const clone = Deno.makeTempDirSync({ dir: "/tmp", prefix: "open-clone-" });
  try {
    Deno.chmodSync(clone, 0o755);
    assert.equal(instanceDir(clone, "probe"), `${clone}/.stack/probe`);
  } finally {
    Deno.removeSync(clone, { recursive: true });
  }
});
