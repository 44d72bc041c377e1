// The secrets a run of the command holds (a HubSpot token, a gateway credential), wherever they
// were read from (the environment or a file), so that every way out redacts them: the report and
// the messages of the commands, and cli.ts' "unexpected error" catch-all, which knows nothing of
// the files the commands read. Kept per CliIo (one run), never in a module-wide list.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN_SECRET_LENGTH } from '@campaigns/redact';
import { UsageError, type CliIo } from './io.js';

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

/**
 * A credential read from the file an option names (`what`: e.g. "token file"), trimmed, and held
 * for this run. Messages name the file, never its content; an empty file is refused.
 */
export async function readSecretFile(io: CliIo, name: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, name), 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new UsageError(`cannot read the ${what} ${name} (${code})`);
  }
  const secret = text.trim();
  if (secret === '') throw new UsageError(`the ${what} ${name} is empty`);
  holdSecret(io, secret);
  return secret;
}
