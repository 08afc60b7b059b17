// Waiting that gives way: a delay or a hang ends early when the client gives up or the server closes.

/** Resolves true after ms (Infinity: never), or false as soon as any signal aborts. Never leaves a timer. */
export function sleep(ms: number, signals: AbortSignal[]): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (completed: boolean) => {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(ms)) timer = setTimeout(() => done(true), ms);
  });
}
