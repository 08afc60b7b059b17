// How long an invocation may go on claiming. Hosted Edge Functions stop a request after 2 s of CPU
// time (awaiting I/O does not count) and bound its wall clock; an invocation stops claiming before
// either runs out, finishes what it holds, and hands off to the next.
//
// The Edge Runtime (Deno 2.1) gives a function no CPU clock (node:process's cpuUsage is "not
// implemented" there and warns on every call), so CPU is estimated from the work taken on: a fixed
// cost per invocation plus WORKER_CPU_MS_PER_JOB for every job claimed. The default is measured on
// the local stack, whose functions host charges each request its CPU as the runtime does
// (x-stack-cpu-ms); worker_cpu_budget_test drives a large backlog under that limit.

/** What an invocation costs before its first job: the request, the registration, the first claim. */
const INVOCATION_CPU_MS = 60;

export class InvocationBudget {
  readonly #deadline: number;
  #jobs = 0;
  #extraMs = 0;

  constructor(readonly wallMs: number, readonly cpuMs: number, readonly cpuMsPerJob: number, started = Date.now()) {
    this.#deadline = started + wallMs;
  }

  /** Counts jobs this invocation took on. */
  took(jobs: number): void {
    this.#jobs += jobs;
  }

  /** Counts a job whose run costs more than an ordinary one (a share of a long import): its own estimate (ms). */
  tookHeavy(cpuMs: number): void {
    this.#extraMs += Math.max(0, cpuMs - this.cpuMsPerJob);
  }

  /** The CPU time this invocation is estimated to use for what it took on (ms). */
  cpuEstimateMs(): number {
    return INVOCATION_CPU_MS + this.#jobs * this.cpuMsPerJob + this.#extraMs;
  }

  /** How many more jobs fit in the CPU budget (a claim asks for no more, so it cannot overshoot). */
  jobsLeft(): number {
    return Math.max(0, Math.floor((this.cpuMs - this.cpuEstimateMs()) / this.cpuMsPerJob));
  }

  /** Whether there is time (and CPU) left to take on more work. */
  left(): boolean {
    return Date.now() < this.#deadline && this.cpuEstimateMs() < this.cpuMs;
  }

  /** Milliseconds of wall clock left (0 when spent). */
  msLeft(): number {
    return Math.max(0, this.#deadline - Date.now());
  }
}
