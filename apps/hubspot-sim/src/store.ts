// The simulator's state: campaigns as HubSpot holds them. Tests and benchmarks read it directly
// to check what really happened on the server, not what a client believes happened.
import type { PublicCampaign } from '@campaigns/hubspot-client';
import type { SeededRandom } from './random.js';
import { DEMO_BUSINESS_UNIT_IDS, demoCampaign } from './seed.js';

interface StoredCampaign {
  id: string;
  properties: Record<string, string>;
  businessUnitIds: number[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface CampaignStoreOptions {
  /** Draws campaign ids and demo data. */
  random: SeededRandom;
  /** Clock for `createdAt`/`updatedAt`. Default `Date.now`. */
  now?: () => number;
  /** The business units campaigns belong to. Default `DEMO_BUSINESS_UNIT_IDS`. */
  businessUnitIds?: readonly number[];
}

export class CampaignStore {
  readonly #campaigns = new Map<string, StoredCampaign>();
  readonly #random: SeededRandom;
  readonly #now: () => number;
  readonly #businessUnitIds: readonly number[];
  #seededCount = 0;
  #nextObjectId = 100_000_000;

  constructor(options: CampaignStoreOptions) {
    this.#random = options.random;
    this.#now = options.now ?? Date.now;
    this.#businessUnitIds = options.businessUnitIds ?? DEMO_BUSINESS_UNIT_IDS;
  }

  get size(): number {
    return this.#campaigns.size;
  }

  has(id: string): boolean {
    return this.#campaigns.has(id);
  }

  /** The current value of a campaign (a copy), or undefined when there is none. */
  get(id: string): PublicCampaign | undefined {
    const stored = this.#campaigns.get(id);
    return stored && toPublicCampaign(stored);
  }

  /** Every campaign, oldest first. */
  list(): PublicCampaign[] {
    return [...this.#campaigns.values()].map(toPublicCampaign);
  }

  /** Adds a campaign as given, without validation; `""` values are left out. */
  create(properties: Readonly<Record<string, string>>): PublicCampaign {
    const at = this.#now();
    const stored: StoredCampaign = {
      id: this.#newId(),
      properties: {},
      businessUnitIds: [this.#businessUnitIds[0]!],
      createdAt: at,
      updatedAt: at,
    };
    applyChanges(stored, properties);
    this.#insert(stored);
    return toPublicCampaign(stored);
  }

  /**
   * Sets the given properties (`""` removes one) and moves `updatedAt` strictly forward, even
   * for two updates within one millisecond.
   * Returns undefined when the campaign does not exist.
   */
  update(id: string, changes: Readonly<Record<string, string>>): PublicCampaign | undefined {
    const stored = this.#campaigns.get(id);
    if (!stored) return undefined;
    applyChanges(stored, changes);
    stored.updatedAt = Math.max(this.#now(), stored.updatedAt + 1);
    stored.properties.hs_lastmodifieddate = new Date(stored.updatedAt).toISOString();
    return toPublicCampaign(stored);
  }

  /** Removes a campaign; true when it existed. */
  delete(id: string): boolean {
    return this.#campaigns.delete(id);
  }

  /** Adds `count` demo campaigns (continuing the demo sequence) and returns their ids. */
  seed(count: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const demo = demoCampaign(this.#seededCount++, this.#random, this.#businessUnitIds);
      const stored: StoredCampaign = {
        id: this.#newId(),
        properties: demo.properties,
        businessUnitIds: [demo.businessUnitId],
        createdAt: demo.createdAt,
        updatedAt: demo.updatedAt,
      };
      this.#insert(stored);
      ids.push(stored.id);
    }
    return ids;
  }

  #insert(stored: StoredCampaign): void {
    stored.properties.hs_object_id = String(this.#nextObjectId++);
    stored.properties.hs_createdate = new Date(stored.createdAt).toISOString();
    stored.properties.hs_lastmodifieddate = new Date(stored.updatedAt).toISOString();
    this.#campaigns.set(stored.id, stored);
  }

  #newId(): string {
    let id = this.#random.uuid();
    while (this.#campaigns.has(id)) id = this.#random.uuid();
    return id;
  }
}

function applyChanges(stored: StoredCampaign, changes: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(changes)) {
    if (value === '') delete stored.properties[name];
    else stored.properties[name] = value;
  }
}

function toPublicCampaign(stored: StoredCampaign): PublicCampaign {
  return {
    id: stored.id,
    properties: { ...stored.properties },
    businessUnits: stored.businessUnitIds.map((id) => ({ id })),
    createdAt: new Date(stored.createdAt).toISOString(),
    updatedAt: new Date(stored.updatedAt).toISOString(),
  };
}
