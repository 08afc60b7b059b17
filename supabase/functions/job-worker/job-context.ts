// The JobContext a processor gets: progress and log calls fenced by the worker's lease.
import type { Sql } from "../_shared/db.ts";
import { LeaseLostError } from "../_shared/jobs/errors.ts";
import type { Job, Queue } from "../_shared/jobs/queue.ts";
import type { JobContext } from "./processors/types.ts";

export function createJobContext(job: Job, queue: Queue, sql: Sql, stop: AbortSignal): JobContext {
  const lease = new AbortController();
  // Made on first use: AbortSignal.any registers the job with `stop` (weak references and a
  // finalizer), a cost per job that processors which never read the signal need not pay.
  let signal: AbortSignal | undefined;
  const lost = (): never => {
    lease.abort(new LeaseLostError(job.id));
    throw new LeaseLostError(job.id);
  };
  return {
    job,
    sql,
    get signal() {
      return signal ??= AbortSignal.any([lease.signal, stop]);
    },
    workerId: queue.workerId,
    leaseLost: lost,
    async progress(percentage, message) {
      if (!(await queue.progress(job.id, percentage, message))) lost();
    },
    async log(message, level = "info", metadata = {}) {
      if (!(await queue.log(job.id, message, level, metadata))) lost();
    },
  };
}
