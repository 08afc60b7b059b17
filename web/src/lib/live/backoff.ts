// How long to wait before subscribing again after the n-th failure in a row (1-based): quick at
// first, then slower, so a project over its Realtime limits is not hammered with joins.
const STEPS_MS = [1_000, 2_000, 5_000, 10_000, 20_000];
export const MAX_RESUBSCRIBE_DELAY_MS = 30_000;

export function resubscribeDelay(failures: number): number {
  return STEPS_MS[failures - 1] ?? MAX_RESUBSCRIBE_DELAY_MS;
}
