// Several jobs handled together still end one by one: each item's result, or the error that ended it.

/** Runs fn for every item at once; the answer has each one's result or error, in the items' order. */
export async function settleEach<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<Array<R | Error>> {
  const settled = await Promise.allSettled(items.map(fn));
  return settled.map((s) => (s.status === "fulfilled" ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
}
