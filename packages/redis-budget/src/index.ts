export { RedisRateBudget, accountKeyOf } from './redis-budget.js';
export type { RedisEval, RedisRateBudgetOptions } from './redis-budget.js';
