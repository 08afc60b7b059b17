// How long an invocation may go on claiming. Hosted Edge Functions stop a request after 2 s of CPU
// time (async I/O does not count) and bound its wall clock; an invocation stops claiming before
// either runs out, finishes what it holds, and hands off to the next.
//
// CPU is read with node:process's cpuUsage for the whole process, which may be serving several
// invocations at once: it never undercounts this invocation's share, so the budget holds however
// the runtime attributes CPU. Where the runtime does not offer it, only the wall clock applies.
import process from "node:process";

function processCpuMicros(): number | null {
  try {
    const { user, system } = process.cpuUsage();
    return user + system;
  } catch {
    return null;
  }
}

export class InvocationBudget {
  readonly #deadline: number;
  readonly #cpuStart = processCpuMicros();

  constructor(readonly wallMs: number, readonly cpuMs: number, started = Date.now()) {
    this.#deadline = started + wallMs;
  }

  /** CPU time used since the invocation started (ms; 0 where it cannot be read). */
  cpuUsedMs(): number {
    const now = processCpuMicros();
    return now === null || this.#cpuStart === null ? 0 : (now - this.#cpuStart) / 1000;
  }

  /** Whether there is time (and CPU) left to take on more work. */
  left(): boolean {
    return Date.now() < this.#deadline && this.cpuUsedMs() < this.cpuMs;
  }

  /** Milliseconds of wall clock left (0 when spent). */
  msLeft(): number {
    return Math.max(0, this.#deadline - Date.now());
  }
}
