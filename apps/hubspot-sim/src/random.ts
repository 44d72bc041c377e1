// Seeded randomness: demo data, result shuffling and random faults must replay exactly from a
// seed, so a failing test or benchmark can be run again and fail the same way.

export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A version-4 UUID drawn from this stream. */
  uuid(): string;
}

/** mulberry32: small, fast and good enough for test data; not for anything secret. */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    integer,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[integer(0, items.length - 1)]!;
    },
    uuid: () => {
      const bytes = Array.from({ length: 16 }, () => integer(0, 255));
      bytes[6] = (bytes[6]! & 0x0f) | 0x40;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

/**
 * Independent streams from one seed, so turning faults on does not change the demo data and
 * a different number of shuffles does not change which request fails.
 */
export function deriveSeed(seed: number, stream: 'data' | 'order' | 'faults'): number {
  const salt = { data: 0x9e3779b9, order: 0x85ebca6b, faults: 0xc2b2ae35 }[stream];
  return (Math.imul(seed ^ salt, 0x27d4eb2d) ^ (seed >>> 15)) >>> 0;
}

/**
 * HubSpot does not keep input order in batch answers. Shuffles a copy and, when there is more
 * than one item, guarantees the order differs from the input so order bugs always show.
 */
export function shuffleAwayFromInputOrder<T>(items: readonly T[], random: SeededRandom): T[] {
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.integer(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  if (shuffled.length > 1 && shuffled.every((item, i) => item === items[i])) {
    shuffled.push(shuffled.shift()!);
  }
  return shuffled;
}
