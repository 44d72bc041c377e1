// One rate budget per client (one client = one token = one account budget), found again by
// every run that uses the same client, so concurrent runs share it instead of racing.
import { RateLimitBudget, type RateLimitBudgetOptions } from './limiter.js';

const budgets = new WeakMap<object, RateLimitBudget>();

/** The budget shared by every run on `client`, created from `init` the first time. */
export function budgetFor(client: object, init?: RateLimitBudgetOptions): RateLimitBudget {
  let budget = budgets.get(client);
  if (!budget) {
    budget = new RateLimitBudget(init);
    budgets.set(client, budget);
  }
  return budget;
}
