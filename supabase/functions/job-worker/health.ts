// GET: is the worker deployed, configured, and able to reach its queue?
import { db } from "../_shared/db.ts";
import type { WorkerConfig } from "./config.ts";

export interface QueueStats {
  pending: number;
  due: number;
  processing: number;
  failed_last_24h: number;
  completed_last_24h: number;
  oldest_pending_age_seconds: number;
}

export async function health(config: WorkerConfig, workerId: string) {
  const base = {
    worker_exists: true,
    worker_id: workerId,
    timestamp: new Date().toISOString(),
    environment: { region: config.region, env: config.env },
  };
  try {
    const [{ stats }] = await db()<{ stats: QueueStats }[]>`select public.queue_stats() as stats`;
    return { status: 200, body: { status: "healthy", ...base, queue: stats } };
  } catch (error) {
    return {
      status: 503,
      body: { status: "unhealthy", ...base, reason: `Database unreachable: ${(error as Error).message}` },
    };
  }
}
