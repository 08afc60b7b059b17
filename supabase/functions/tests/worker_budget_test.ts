// The invocation's budget: CPU is reckoned per job claimed (the runtime has no CPU clock), and a
// claim asks for no more jobs than still fit, so one large claim cannot carry it past the limit.
import assert from "node:assert/strict";
import { InvocationBudget } from "../job-worker/budget.ts";

Deno.test("jobsLeft: what still fits in the CPU budget, after the invocation's own cost", () => {
  const budget = new InvocationBudget(50_000, 1_200, 12);
  assert.equal(budget.jobsLeft(), 95, "(1,200 - 60) / 12");
  budget.took(90);
  assert.equal(budget.jobsLeft(), 5);
  assert.equal(budget.left(), true);
  budget.took(5);
  assert.equal(budget.jobsLeft(), 0);
  assert.equal(budget.left(), false, "spent: no more claims");
  budget.took(3);
  assert.equal(budget.jobsLeft(), 0, "never negative");
});

Deno.test("left: the wall clock ends the budget too", () => {
  const budget = new InvocationBudget(1_000, 1_200, 12, Date.now() - 2_000);
  assert.equal(budget.left(), false);
  assert.equal(budget.msLeft(), 0);
});
