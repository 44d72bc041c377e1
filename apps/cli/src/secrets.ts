// The secrets a run of the command holds (a HubSpot token, a gateway credential), wherever they
// were read from (the environment or a file), so that every way out redacts them: the report and
// the messages of the commands, and cli.ts' "unexpected error" catch-all, which knows nothing of
// the files the commands read. Kept per CliIo (one run), never in a module-wide list.
import { MIN_SECRET_LENGTH } from '@campaigns/redact';
import type { CliIo } from './io.js';

const held = new WeakMap<CliIo, Set<string>>();

/** Remembers a secret read for this run (shorter ones would shred messages: never redacted). */
export function holdSecret(io: CliIo, secret: string): void {
  const value = secret.trim();
  if (value.length < MIN_SECRET_LENGTH) return;
  let set = held.get(io);
  if (!set) held.set(io, (set = new Set()));
  set.add(value);
}

/** Every secret this run has read so far. */
export function heldSecrets(io: CliIo): string[] {
  return [...(held.get(io) ?? [])];
}
