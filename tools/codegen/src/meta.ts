// `openapi/<version>/meta.json`: which HubSpot release a version folder's spec describes, the
// documentation date it was written from (or HubSpot's file was downloaded on), whose text it is,
// and the path root its full paths sit under. Checked on every codegen run, so a file dropped into
// the wrong folder, or a folder without its record, fails before anything is generated.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  apiRootPath,
  isApiVersion,
  specPathRelativeToApiRoot,
} from '@campaigns/hubspot-client/version';
import type { OpenApiDocument } from '@campaigns/openapi';

export const SPEC_ORIGINS = ['own description', "HubSpot's published file"] as const;

export interface SpecMeta {
  /** The HubSpot API version the spec describes: the folder's name. */
  hubspotVersion: string;
  /** `YYYY-MM-DD`: when the documentation it was written from was read, or the file downloaded. */
  documentationDate: string;
  /** Our own text in HubSpot's layout, or HubSpot's file as published. */
  origin: (typeof SPEC_ORIGINS)[number];
  /** Where its full paths start, e.g. `/marketing/v3/campaigns`: the version's API root. */
  pathRoot: string;
}

const KEYS = new Set(['$comment', 'hubspotVersion', 'documentationDate', 'origin', 'pathRoot']);

/** Reads and checks `meta.json` of a version folder (named after the version). */
export async function readSpecMeta(versionDir: string): Promise<SpecMeta> {
  const version = path.basename(versionDir);
  const file = path.join(versionDir, 'meta.json');
  const where = `${version}/meta.json`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${where} is missing: say which HubSpot version and documentation date the spec describes (see openapi/README.md)`
        : `${where}: cannot parse: ${(error as Error).message}`,
    );
  }
  return parseSpecMeta(value, version);
}

/** Checks a parsed `meta.json` against the folder it sits in. */
export function parseSpecMeta(value: unknown, version: string): SpecMeta {
  const where = `${version}/meta.json`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected an object`);
  }
  const meta = value as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(meta).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) problems.push(`unknown keys ${unknown.join(', ')}`);
  if (meta.hubspotVersion !== version) {
    problems.push(
      `hubspotVersion is ${JSON.stringify(meta.hubspotVersion)}, but the folder is ${version}`,
    );
  }
  const date = meta.documentationDate;
  if (
    typeof date !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date
  ) {
    problems.push(`documentationDate must be a date, YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  if (!(SPEC_ORIGINS as readonly unknown[]).includes(meta.origin)) {
    problems.push(
      `origin must be ${SPEC_ORIGINS.map((o) => JSON.stringify(o)).join(' or ')}, got ${JSON.stringify(meta.origin)}`,
    );
  }
  if (isApiVersion(version) && meta.pathRoot !== apiRootPath(version)) {
    problems.push(
      `pathRoot must be ${JSON.stringify(apiRootPath(version))} for ${version}, got ${JSON.stringify(meta.pathRoot)}`,
    );
  }
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  return meta as unknown as SpecMeta;
}

/**
 * Checks the spec against its record: every full path (one under any Campaigns root) sits under
 * the recorded root, or under a `{version}` template for a date version; relative paths (the root
 * in `servers`) pass. So a 2026-03 file in the v3 folder fails here.
 */
export function checkSpecMeta(meta: SpecMeta, version: string, doc: OpenApiDocument): void {
  const foreign = Object.keys(doc.paths ?? {}).filter((key) => {
    if (specPathRelativeToApiRoot(key) === key) return false;
    if (key === meta.pathRoot || key.startsWith(`${meta.pathRoot}/`)) return false;
    return version === 'v3' || !/^\/marketing\/campaigns\/\{[^}/]+\}(?=\/|$)/.test(key);
  });
  if (foreign.length > 0) {
    throw new Error(
      `${version}/: paths outside ${meta.pathRoot}, the root meta.json records: ${foreign.join(', ')}`,
    );
  }
}
