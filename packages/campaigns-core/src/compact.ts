// The results a run keeps, held compactly. HubSpot repeats itself: every campaign it returns
// carries its status, currency, owner and dates as strings of their own, its `createdAt` and
// `updatedAt` again as `hs_createdate` and `hs_lastmodifieddate`, and its id, which the caller's
// input already holds. JSON.parse makes a string for each; a 100,000-result outcome held them
// all. An update's answer also echoes each value the caller sent, which the caller's input holds
// already. Strings are values, so sharing one copy changes nothing a caller can see.
import type { UpdatedCampaign } from './api.js';

/** Values a property has had, while they repeat enough to be worth one copy each. */
interface PropertyPool {
  values: Map<string, string>;
  seen: number;
  shared: number;
  off: boolean;
}

/** Distinct values kept per property at most, and strings longer than this are left alone. */
const MAX_VALUES = 4_096;
const MAX_LENGTH = 100;
/** After this many values, a property sharing fewer than a quarter of them is given up on. */
const TRIAL = 256;

/**
 * The fields of a campaign result this looks at, as the spec types them (anything else is left as
 * it is). Each is still checked before use: HubSpot's answer can hold anything.
 */
export type Compactable = Partial<
  Pick<UpdatedCampaign, 'id' | 'properties' | 'createdAt' | 'updatedAt'>
>;

/** One per run: shares the repeated strings of the results it keeps (see the top of the file). */
export class ResultCompactor {
  private readonly pools = new Map<string, PropertyPool>();

  /**
   * Compacts `result` in place; `id`, when given, is the caller's own string for its id, and
   * `sent` the properties the caller sent for it (a value HubSpot echoes becomes the caller's).
   */
  compact<R extends Compactable>(
    result: R,
    id?: string,
    sent?: Readonly<Record<string, unknown>>,
  ): R {
    const campaign: Compactable = result;
    if (typeof campaign !== 'object' || campaign === null) return result;
    if (id !== undefined && campaign.id === id) campaign.id = id;
    const properties = campaign.properties;
    if (typeof properties === 'object' && properties !== null) {
      for (const name of Object.keys(properties)) {
        const value = properties[name];
        if (typeof value !== 'string') continue;
        const own = sent && Object.hasOwn(sent, name) ? sent[name] : undefined;
        properties[name] = own === value ? own : this.share(name, value);
      }
      // HubSpot's own mirrors of the two dates: one string each.
      if (typeof campaign.createdAt === 'string' && campaign.createdAt === properties.hs_createdate)
        campaign.createdAt = properties.hs_createdate;
      if (
        typeof campaign.updatedAt === 'string' &&
        campaign.updatedAt === properties.hs_lastmodifieddate
      )
        campaign.updatedAt = properties.hs_lastmodifieddate;
    }
    return result;
  }

  private share(name: string, value: string): string {
    if (value.length > MAX_LENGTH) return value;
    let pool = this.pools.get(name);
    if (!pool) {
      pool = { values: new Map(), seen: 0, shared: 0, off: false };
      this.pools.set(name, pool);
    }
    if (pool.off) return value;
    pool.seen++;
    const known = pool.values.get(value);
    if (known !== undefined) {
      pool.shared++;
      return known;
    }
    // A property whose values hardly repeat (a name, an id, a timestamp) is not worth a pool.
    if (pool.values.size >= MAX_VALUES || (pool.seen >= TRIAL && pool.shared * 4 < pool.seen)) {
      pool.off = true;
      pool.values = new Map();
      return value;
    }
    pool.values.set(value, value);
    return value;
  }
}
