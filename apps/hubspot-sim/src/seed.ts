// Deterministic demo campaigns: realistic enough that a UI, a benchmark or a test sees the
// shapes HubSpot sends (dates, options, money sums, int64 business-unit ids), never random noise.
import { CAMPAIGN_STATUS_OPTIONS } from './properties.js';
import type { SeededRandom } from './random.js';

/**
 * Business units of the demo account. Every id is above 2^31, where a 32-bit integer (GraphQL
 * `Int`, Java `int`) silently breaks, and below 2^53, so JSON numbers still carry them exactly.
 */
export const DEMO_BUSINESS_UNIT_IDS: readonly number[] = [
  2_147_483_659, 4_294_967_311, 68_719_476_767,
];

/**
 * Business units of the demo account under a spec that types their ids `int32` (as date versions
 * such as 2026-03 do): every id fits 32 bits.
 */
export const DEMO_INT32_BUSINESS_UNIT_IDS: readonly number[] = [1_048_583, 16_777_259, 536_870_923];

/** The demo account's users; `hs_owner` and `hs_created_by_user_id` take these. */
export const DEMO_USER_IDS: readonly string[] = ['75412309', '75412310', '81200457', '90311822'];

const THEMES = [
  'Spring launch',
  'Summer sale',
  'Back to school',
  'Black Friday',
  'Year-end review',
  'Product webinar',
  'Partner summit',
  'Customer stories',
  'Free trial push',
  'Brand refresh',
];
const REGIONS = ['EMEA', 'NA', 'LATAM', 'APAC', 'DACH', 'Nordics'];
const AUDIENCES = [
  'Existing customers',
  'Trial users',
  'Enterprise prospects',
  'SMB leads',
  'Developers',
  'Partners',
];
const GOALS = [
  '500 MQLs',
  'Pipeline of $250k',
  '20% more demos',
  '1,000 sign-ups',
  'Renewals above 95%',
];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'];
const COLOURS = ['#FF7A59', '#00BDA5', '#6A78D1', '#F5C26B', '#516F90', '#E66E50'];

/** One seeded campaign, before the store gives it an id and its system properties. */
export interface DemoCampaign {
  properties: Record<string, string>;
  businessUnitId: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

const DAY_MS = 86_400_000;
/** Demo campaigns are created during 2025, so every later update moves `updatedAt` forward. */
const DEMO_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

/** Campaign number `index` (0-based) of the demo account, drawn from `random`. */
export function demoCampaign(
  index: number,
  random: SeededRandom,
  businessUnitIds: readonly number[] = DEMO_BUSINESS_UNIT_IDS,
): DemoCampaign {
  const createdAt = DEMO_EPOCH + random.integer(0, 300) * DAY_MS + random.integer(0, DAY_MS - 1);
  const updatedAt = createdAt + random.integer(0, 30) * DAY_MS + random.integer(1, DAY_MS - 1);
  const start = new Date(createdAt + random.integer(7, 60) * DAY_MS);
  const end = new Date(start.getTime() + random.integer(14, 120) * DAY_MS);
  const budget = random.integer(1, 400) * 250;
  const name = `${random.pick(THEMES)} ${start.getUTCFullYear()} – ${random.pick(REGIONS)} #${String(index + 1).padStart(3, '0')}`;
  const properties: Record<string, string> = {
    hs_name: name,
    hs_start_date: toDate(start),
    hs_end_date: toDate(end),
    hs_campaign_status: random.pick(CAMPAIGN_STATUS_OPTIONS),
    hs_currency_code: random.pick(CURRENCIES),
    hs_color_hex: random.pick(COLOURS),
    hs_owner: random.pick(DEMO_USER_IDS),
    hs_audience: random.pick(AUDIENCES),
    hs_budget_items_sum_amount: String(budget),
    hs_spend_items_sum_amount: String(Math.round(budget * random.next() * 100) / 100),
    hs_created_by_user_id: random.pick(DEMO_USER_IDS),
  };
  if (random.next() < 0.6) properties.hs_goal = random.pick(GOALS);
  if (random.next() < 0.4)
    properties.hs_notes = `Owned by the ${random.pick(REGIONS)} team; review weekly.`;
  if (random.next() < 0.5)
    properties.hs_utm = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  return { properties, businessUnitId: random.pick(businessUnitIds), createdAt, updatedAt };
}

function toDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
