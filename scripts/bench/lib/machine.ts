// What the figures were measured on: machine, load, and the versions of everything involved.
import { repoRoot } from "../../stack/config.ts";
import type { Sql } from "./db.ts";

async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "unknown";
  }
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(Deno.readTextFileSync(`${repoRoot}/node_modules/${name}/package.json`)).version;
  } catch {
    return "not installed";
  }
}

export function loadAverage(): number[] {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

export async function machineInfo(sql: Sql) {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKb = Number(meminfo.match(/MemTotal:\s+(\d+)/)?.[1] ?? 0);
  const os = (await Deno.readTextFile("/etc/os-release").catch(() => "")).match(/PRETTY_NAME="([^"]+)"/)?.[1] ??
    Deno.build.os;
  const [{ version }] = await sql<{ version: string }[]>`select version()`;
  const settings = await sql<{ name: string; setting: string; unit: string | null }[]>`
    select name, setting, unit from pg_settings
    where name in ('shared_buffers', 'fsync', 'synchronous_commit', 'max_connections', 'wal_level', 'work_mem')
    order by name`;
  return {
    cpu_model: cpuinfo.match(/model name\s*:\s*(.+)/)?.[1]?.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    ram_gib: Math.round(memKb / 1024 / 1024),
    os,
    kernel: await output("uname", ["-r"]),
    versions: {
      postgres: version.replace(/ on .*$/, ""),
      deno: Deno.version.deno,
      node: (await output("node", ["--version"])).replace(/^v/, ""),
      "graphile-worker": packageVersion("graphile-worker"),
      "pg-boss": packageVersion("pg-boss"),
      "@supabase/supabase-js": packageVersion("@supabase/supabase-js"),
      "postgres (postgres.js, our worker's driver)": packageVersion("postgres"),
      "pg (node-postgres, graphile-worker's and pg-boss's driver)": packageVersion("pg"),
    },
    postgres_settings: Object.fromEntries(
      settings.map((s) => [s.name, s.unit ? `${s.setting} (${s.unit})` : s.setting]),
    ),
  };
}
