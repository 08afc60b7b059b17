// Long-running processes of the stack (the transaction pooler, the gateway with the functions, the
// pg_net dispatcher, the fake Apollo, the mailbox Auth sends its emails to), started detached so
// `stack:up` can return; each has a pid file in .stack/<instance>/run and a log in .stack/<instance>/logs.
import { type StackConfig, repoRoot } from "./config.ts";
import { preparePooler } from "./pooler.ts";
import { portInUse, run, StackError, waitFor } from "./shell.ts";

interface Daemon {
  name: string;
  /** A Deno script of the stack, or a command line (prepared on every start). */
  script?: string;
  command?: (config: StackConfig) => Promise<string[]>;
  /** A port that answers once the daemon is ready (none: alive is enough). */
  port?: (config: StackConfig) => number;
}

export const DAEMONS: Daemon[] = [
  // before the gateway: the functions it starts connect through it
  { name: "pooler", command: preparePooler, port: (c) => c.ports.pooler },
  { name: "fake-apollo", script: "scripts/stack/fake-apollo/main.ts", port: (c) => c.ports.fakeApollo },
  { name: "net-dispatcher", script: "scripts/stack/net-dispatcher.ts" },
  { name: "mailbox", script: "scripts/stack/mailbox/main.ts", port: (c) => c.ports.mailbox },
  { name: "gateway", script: "scripts/stack/gateway/main.ts", port: (c) => c.ports.api },
];

const pidFile = (config: StackConfig, name: string) => `${config.dir}/run/${name}.pid`;

function readPid(config: StackConfig, name: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile(config, name)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

export function daemonPid(config: StackConfig, name: string): number | null {
  const pid = readPid(config, name);
  return alive(pid) ? pid : null;
}

async function startDaemon(config: StackConfig, daemon: Daemon): Promise<void> {
  if (daemonPid(config, daemon.name) !== null) return;
  const port = daemon.port?.(config);
  if (port !== undefined && (await portInUse(port))) {
    throw new StackError(
      `port ${port} is taken by another process, so the ${daemon.name} cannot start`,
      `stop whatever listens there (ss -ltnp 'sport = :${port}') or choose other ports with STACK_PORT_BASE`,
    );
  }
  await Deno.mkdir(`${config.dir}/run`, { recursive: true });
  const logFile = `${config.logDir}/${daemon.name}.log`;
  const argv = daemon.command
    ? await daemon.command(config)
    : [Deno.execPath(), "run", "-A", `${repoRoot}/${daemon.script}`];
  const result = await run("sh", [
    "-c",
    'setsid "$@" >>"$STACK_LOG" 2>&1 </dev/null & echo $!',
    "sh", ...argv,
  ], { cwd: repoRoot, env: { STACK_INSTANCE: config.instance, STACK_LOG: logFile } });
  const pid = Number(result.stdout.trim());
  await Deno.writeTextFile(pidFile(config, daemon.name), `${pid}\n`);
  const ready = await waitFor(async () => {
    if (!alive(pid)) return true;
    return port === undefined ? true : await portInUse(port);
  }, 60_000, 100);
  if (!ready || !alive(pid)) {
    const log = await Deno.readTextFile(logFile).catch(() => "");
    throw new StackError(
      `${daemon.name} did not start:\n${log.trim().split("\n").slice(-15).join("\n")}`,
      `see ${logFile}`,
    );
  }
}

export async function startDaemons(config: StackConfig, _options: { fresh: boolean } = { fresh: false }) {
  for (const daemon of DAEMONS) {
    if (daemonPid(config, daemon.name) === null) console.error(`[stack] starting ${daemon.name}`);
    await startDaemon(config, daemon);
  }
}

export async function stopDaemon(config: StackConfig, name: string, signal: Deno.Signal = "SIGTERM") {
  const pid = daemonPid(config, name);
  if (pid !== null) {
    // setsid made the daemon a process-group leader: signal the whole group (its children too).
    try {
      Deno.kill(-pid, signal);
    } catch {
      Deno.kill(pid, signal);
    }
    const gone = await waitFor(() => Promise.resolve(!alive(pid)), 10_000, 50);
    if (!gone) {
      try {
        Deno.kill(-pid, "SIGKILL");
      } catch { /* gone */ }
    }
  }
  await Deno.remove(pidFile(config, name)).catch(() => {});
}

export async function stopDaemons(config: StackConfig) {
  for (const daemon of [...DAEMONS].reverse()) {
    if (daemonPid(config, daemon.name) !== null) console.error(`[stack] stopping ${daemon.name}`);
    await stopDaemon(config, daemon.name);
  }
}

export function daemonsStatus(config: StackConfig): Promise<string[]> {
  return Promise.resolve(DAEMONS.map((d) => {
    const pid = daemonPid(config, d.name);
    return `${d.name}: ${pid === null ? "stopped" : `running (pid ${pid})`}${d.port ? ` on ${d.port(config)}` : ""}`;
  }));
}
