// The results a run keeps, held compactly. HubSpot repeats itself: every campaign it returns
// carries its status, currency, owner and dates as strings of their own, its `createdAt` and
// `updatedAt` again as `hs_createdate` and `hs_lastmodifieddate`, and its id, which the caller's
// input already holds. JSON.parse makes a string for each; a 100,000-result outcome held them
// all. An update's answer also echoes each value the caller sent, which the caller's input holds
// already. Strings are values, so sharing one copy changes nothing a caller can see.
//
// A campaign's `businessUnits` (an array, an object per unit and a heap number for an id past
// 2^31: about 100 bytes a result) is most often the same for every campaign of an account. Equal
// ones are shared across the run's results as one frozen array of frozen objects: deep-equal to
// what HubSpot sent, but one result's cannot be changed through another (the types say `readonly`).
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
  Pick<UpdatedCampaign, 'id' | 'properties' | 'createdAt' | 'updatedAt' | 'businessUnits'>
>;

/** Distinct `businessUnits` lists kept for sharing at most (past it, new ones stay as they are). */
const MAX_UNIT_LISTS = 1_024;

/** One per run: shares the repeated strings of the results it keeps (see the top of the file). */
export class ResultCompactor {
  private readonly pools = new Map<string, PropertyPool>();
  /** Frozen `businessUnits` lists by their {@link unitsKey}. */
  private readonly unitLists = new Map<string, Compactable['businessUnits']>();

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
    if (Array.isArray(campaign.businessUnits))
      campaign.businessUnits = this.shareUnits(campaign.businessUnits);
    return result;
  }

  /**
   * One frozen copy of each distinct list (see the top of the file); `units` itself, frozen, when
   * not shareable or past MAX_UNIT_LISTS: a caller finds every result's list frozen alike.
   */
  private shareUnits(units: NonNullable<Compactable['businessUnits']>) {
    const key = unitsKey(units);
    if (key === undefined) return freezeList(units);
    const known = this.unitLists.get(key);
    if (known !== undefined) return known;
    if (this.unitLists.size >= MAX_UNIT_LISTS) return freezeList(units);
    // Typed as the result's own list: a copy of it, frozen like it.
    const shared = Object.freeze(units.map((unit) => Object.freeze({ ...unit }))) as typeof units;
    this.unitLists.set(key, shared);
    return shared;
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

/**
 * A key that equal lists of business units share (and no two lists that differ do): JSON of an
 * array of plain objects whose own values are strings, finite numbers other than -0 (which JSON
 * would write as 0), booleans or null. Undefined for anything else, which is then not shared.
 */
function unitsKey(units: readonly unknown[]): string | undefined {
  for (const unit of units) {
    if (
      typeof unit !== 'object' ||
      unit === null ||
      Object.getPrototypeOf(unit) !== Object.prototype
    )
      return undefined;
    for (const value of Object.values(unit)) {
      if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0))
        return undefined;
    }
  }
  return JSON.stringify(units);
}

/** `units` and its objects frozen in place. */
function freezeList<T extends readonly object[]>(units: T): T {
  for (const unit of units) Object.freeze(unit);
  return Object.freeze(units);
}

/**
 * Freezes a result's `businessUnits` in place, as a run that keeps its results hands them over
 * (shared, see the top of the file): the same for results a run streams and does not keep.
 */
export function freezeUnits<R>(result: R): R {
  const units = (result as Compactable | null)?.businessUnits;
  if (Array.isArray(units)) freezeList(units);
  return result;
}
