// Job ids and result cursors.
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64url: 22 characters of [A-Za-z0-9_-]. */
export function newJobId(): string {
  return randomBytes(16).toString('base64url');
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

/** Whether `id` could be a job id (anything else is not found without asking the store). */
export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID.test(id);
}

/** What a cursor points into: `p` a position in input order (results), `e` an error group. */
export type CursorKind = 'p' | 'e';

/** A cursor names a position in the job's input order, or an error group. Opaque to callers. */
export function encodeCursor(position: number, kind: CursorKind = 'p'): string {
  return Buffer.from(`${kind}:${position}`).toString('base64url');
}

/** The position a cursor of `kind` names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string, kind: CursorKind = 'p'): number | undefined {
  if (typeof cursor !== 'string' || cursor.length > 32) return undefined;
  const match = /^([pe]):(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match && match[1] === kind ? Number(match[2]) : undefined;
}
