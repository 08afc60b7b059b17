// Starts one process per Edge Function (supabase/functions/<name>/index.ts), restarts it when
// it exits, and gives each Supabase's env vars plus the project's secrets. Each runs on the edge
// Deno (hosted Edge Runtime's line) with its own deno.json, as deployed (../../edge-runtime.ts).
import { repoRoot } from "../../config.ts";
import { edgeDeno, edgeDenoEnv, functionFlags, functionNames } from "../../edge-runtime.ts";
import { projectFunctionEnv } from "../../keys.ts";
import { waitFor } from "../../shell.ts";
import type { GatewayContext } from "../context.ts";
import { readFunctionsConfig } from "./config.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { parseEnv } from "node:util";

interface FunctionProcess {
  name: string;
  port: number;
  verifyJwt: boolean;
  child?: Deno.ChildProcess;
  ready?: Promise<boolean>;
  stopping: boolean;
}

export class FunctionSupervisor {
  readonly functions = new Map<string, FunctionProcess>();

  constructor(private readonly ctx: GatewayContext) {}

  /** Function names: folders of supabase/functions with an index.ts, except _shared and tests. */
  static discover(): string[] {
    return functionNames();
  }

  /**
   * What Supabase sets for every function: the project's URL and database, and its keys. A project
   * with publishable and secret keys gets them as JSON dictionaries (name -> key) and its JWKS, and
   * still gets the legacy JWT keys, which its gateway refuses once they are disabled; a legacy
   * project gets only the legacy keys.
   */
  projectEnv(): Record<string, string> {
    return projectFunctionEnv(this.ctx.config, this.ctx.keys);
  }

  async env(): Promise<Record<string, string>> {
    const { config } = this.ctx;
    const fromFile = await readEnvFile(`${repoRoot}/supabase/functions/.env`);
    return {
      ...this.projectEnv(),
      WORKER_SECRET_TOKEN: config.workerSecretToken,
      APOLLO_KEY_ENCRYPTION_KEY: config.apolloKeyEncryptionKey,
      APOLLO_BASE_URL: `${config.fakeApolloUrl}/api/v1`,
      ENVIRONMENT: "development",
      // through the stack's transaction pooler, as a hosted project's functions should go through Supavisor's
      DB_POOLER_URL: config.poolerUrl,
      ...fromFile,
      // the stack's own settings win over a stray .env (tests rely on them)
      ...pick(Deno.env.toObject(), ["MAX_CONCURRENT", "MAX_GLOBAL_CONCURRENCY", "WORKER_TIME_BUDGET_MS", "USE_MOCK_APOLLO",
        "MOCK_APOLLO_DELAY_MS", "APOLLO_TIMEOUT_MS", "WORKER_LEASE_SECONDS", "WORKER_POLL_MS", "DB_POOL_SIZE",
        "WORKER_CPU_BUDGET_MS", "WORKER_CPU_MS_PER_JOB", "STACK_FUNCTION_CPU_MS", "STACK_FUNCTION_MEMORY_MB", "STACK_FUNCTION_WALL_CLOCK_MS"]),
    };
  }

  async startAll(): Promise<void> {
    const settings = await readFunctionsConfig();
    const names = FunctionSupervisor.discover();
    names.forEach((name, i) => {
      const fn: FunctionProcess = {
        name,
        port: this.ctx.config.ports.functionsBase + i,
        verifyJwt: settings[name]?.verify_jwt ?? true,
        stopping: false,
      };
      this.functions.set(name, fn);
    });
    await Promise.all([...this.functions.values()].map((fn) => this.spawn(fn)));
  }

  private async spawn(fn: FunctionProcess): Promise<void> {
    const watch = Deno.env.get("STACK_WATCH") === "1" ? ["--watch"] : [];
    const log = await Deno.open(`${this.ctx.config.logDir}/fn-${fn.name}.log`, { create: true, write: true, append: true });
    const child = new Deno.Command(edgeDeno(), {
      args: [
        "run",
        "-A",
        ...functionFlags(fn.name),
        ...watch,
        `${repoRoot}/scripts/stack/functions/runner.ts`,
        fn.name,
        String(fn.port),
      ],
      env: { ...edgeDenoEnv(), ...await this.env() },
      stdout: "piped",
      stderr: "piped",
      cwd: repoRoot,
    }).spawn();
    fn.child = child;
    // log.write, not a WritableStream: lines must reach the file at once (tests and humans tail it)
    const copy = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) await log.write(chunk).catch(() => 0);
    };
    Promise.all([copy(child.stdout), copy(child.stderr)]).finally(() => log.close());
    fn.ready = waitFor(() => portOpen(fn.port), 30_000, 50);
    child.status.then(async (status) => {
      if (fn.stopping) return;
      console.error(`[gateway] function ${fn.name} exited (code ${status.code}); restarting`);
      await this.respawn(fn);
    });
    await fn.ready;
  }

  /** Restarts a function that exited, retrying (with a pause) until it runs again or the stack stops. */
  private async respawn(fn: FunctionProcess): Promise<void> {
    for (let delay = 500; !fn.stopping; delay = Math.min(delay * 2, 10_000)) {
      await sleep(delay);
      if (fn.stopping) return;
      try {
        await this.spawn(fn);
        return;
      } catch (error) {
        console.error(`[gateway] function ${fn.name} could not be restarted: ${(error as Error).message}`);
      }
    }
  }

  async stopAll(): Promise<void> {
    for (const fn of this.functions.values()) {
      fn.stopping = true;
      try {
        fn.child?.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.all([...this.functions.values()].map((fn) => fn.child?.status.catch(() => {})));
  }
}

async function portOpen(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

function pick(source: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return {};
  }
  // node:util's dotenv parser: quotes, comments, export
  return Object.fromEntries(Object.entries(parseEnv(text)).filter((e): e is [string, string] => e[1] !== undefined));
}
