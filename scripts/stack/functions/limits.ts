// The hosted Edge Runtime's resource limits, enforced in a function's process the way the runtime
// enforces them on its worker (../../../../shared/reference/hosted-limits.md): 2 s of CPU time per
// request (awaiting I/O does not count), 256 MB of memory, a wall clock per request (150 s on the
// Free plan, 400 s on paid ones). Past one, the runtime terminates the worker: every request it is
// serving is answered 546 WORKER_LIMIT, and the work in flight stops where it is (here: the process
// exits and the gateway's supervisor starts a new one, as the platform boots a new worker).
//
// CPU time is sampled every SAMPLE_MS from the process's usage (/proc/self/stat: the edge Deno, 2.1,
// has no process.cpuUsage) and shared out evenly between the requests in flight at the time, so
// concurrent requests are charged for their share; each answer says what its request was charged
// (x-stack-cpu-ms, a header of the stand-in only). A request that never yields (a synchronous loop)
// blocks the sampler too, so it is caught when it next yields, not at exactly 2 s: the runtime's
// own timer runs on another thread and would stop it sooner.
// No imports: this file is loaded with nothing but a function's import map.

export interface FunctionLimits {
  cpuMs: number;
  memoryMb: number;
  wallClockMs: number;
}

/** The header that carries the CPU time (ms) a request was charged. */
export const CPU_HEADER = "x-stack-cpu-ms";

/** Hosted defaults, strictest plan; STACK_FUNCTION_CPU_MS, _MEMORY_MB, _WALL_CLOCK_MS change them (0: off). */
export function functionLimits(env: { get(name: string): string | undefined }): FunctionLimits {
  const read = (name: string, fallback: number) => {
    const value = Number(env.get(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    cpuMs: read("STACK_FUNCTION_CPU_MS", 2_000),
    memoryMb: read("STACK_FUNCTION_MEMORY_MB", 256),
    wallClockMs: read("STACK_FUNCTION_WALL_CLOCK_MS", 150_000),
  };
}

const SAMPLE_MS = 20;

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

interface InFlight {
  started: number;
  cpuMs: number;
  terminate: (response: Response) => void;
}

/**
 * The handler, under the limits: `terminated` is called once, with the reason, after every
 * request in flight has been answered 546 (the caller then ends the process).
 */
export function withinLimits(
  handler: Handler,
  limits: FunctionLimits,
  terminated: (reason: string) => void,
): Handler {
  const inFlight = new Set<InFlight>();
  let last = processCpuMs();
  let ending = false;

  const end = (reason: string) => {
    if (ending) return;
    ending = true;
    clearInterval(sampler);
    const answer = () =>
      new Response(JSON.stringify({ code: "WORKER_LIMIT", message: `Worker exceeded resource limits: ${reason}` }), {
        status: 546,
        headers: { "content-type": "application/json" },
      });
    for (const request of inFlight) request.terminate(answer());
    terminated(reason);
  };

  const sampler = setInterval(() => {
    const now = processCpuMs();
    const spent = now - last;
    last = now;
    if (inFlight.size === 0) return;
    const share = spent / inFlight.size;
    const clock = Date.now();
    for (const request of inFlight) {
      request.cpuMs += share;
      if (limits.cpuMs > 0 && request.cpuMs > limits.cpuMs) {
        return end(`CPU time limit reached (${Math.round(request.cpuMs)} ms of ${limits.cpuMs} ms)`);
      }
      if (limits.wallClockMs > 0 && clock - request.started > limits.wallClockMs) {
        return end(`wall clock limit reached (${limits.wallClockMs} ms)`);
      }
    }
    const { heapUsed, external } = Deno.memoryUsage();
    const usedMb = (heapUsed + external) / 2 ** 20;
    if (limits.memoryMb > 0 && usedMb > limits.memoryMb) {
      return end(`memory limit reached (${Math.round(usedMb)} MB of ${limits.memoryMb} MB)`);
    }
  }, SAMPLE_MS);
  Deno.unrefTimer(sampler);

  return (req, info) => {
    if (ending) return new Response(JSON.stringify({ code: "WORKER_LIMIT", message: "Worker is shutting down" }), { status: 546 });
    return new Promise<Response>((resolve, reject) => {
      const request: InFlight = { started: Date.now(), cpuMs: 0, terminate: resolve };
      inFlight.add(request);
      Promise.resolve()
        .then(() => handler(req, info))
        .then((response) => {
          inFlight.delete(request);
          resolve(withCpuHeader(response, request.cpuMs));
        }, reject)
        .finally(() => inFlight.delete(request));
    });
  };
}

/** The process's CPU time so far (user + system, ms), from Linux's /proc at its 10 ms resolution. */
export function processCpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  // Fields after the command name (in parentheses, which may hold spaces): utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** Linux's USER_HZ is 100 on every architecture Deno runs on. */
const CLOCK_TICK_MS = 10;

function withCpuHeader(response: Response, cpuMs: number): Response {
  try {
    response.headers.set(CPU_HEADER, String(Math.round(cpuMs)));
    return response;
  } catch {
    // immutable headers (a fetched Response passed on): copy them
    const headers = new Headers(response.headers);
    headers.set(CPU_HEADER, String(Math.round(cpuMs)));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
