// Where the spec files are and how they are read: one folder per API version
// (`<version>/campaigns.yaml` or `.json`, with its `meta.json`), and this folder's `overlay.yaml`
// applied to whatever file is read. The codegen and the simulator both read specs through
// `readSpecDocument`, so they see the same document.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  applyOverlay,
  assertOverlay,
  type OverlayAction,
  type OverlayDocument,
} from './overlay.js';

/** This package's folder (the repository's `openapi/`), from src/ or dist/ alike. */
export const OPENAPI_DIR: URL = new URL('../', import.meta.url);

/** Our additions to every spec: `overlay.yaml` of this package. */
export const OVERLAY_URL: URL = new URL('overlay.yaml', OPENAPI_DIR);

/** The names a version folder's spec may have, in the order they are looked for. */
export const SPEC_FILE_NAMES = ['campaigns.yaml', 'campaigns.yml', 'campaigns.json'] as const;

export interface OpenApiDocument {
  openapi?: string;
  swagger?: string;
  paths?: Record<string, unknown>;
  [key: string]: unknown;
}

type Location = string | URL;

function filePath(location: Location): string {
  return location instanceof URL ? fileURLToPath(location) : path.resolve(location);
}

/**
 * Parses a YAML or JSON file (by its extension) into a value. A YAML alias becomes a copy of its
 * anchor's node, not the same object, so changing one place of the result never changes another.
 */
export function readDataFile(
  location: Location,
  name = path.basename(filePath(location)),
): unknown {
  const file = filePath(location);
  const text = readFileSync(file, 'utf8');
  try {
    if (/\.json$/i.test(file)) return JSON.parse(text);
    const value: unknown = parseYaml(text);
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  } catch (error) {
    throw new Error(`${name}: cannot parse: ${(error as Error).message}`);
  }
}

/** Reads and checks an Overlay document (default: this package's `overlay.yaml`). */
export function readOverlay(location: Location = OVERLAY_URL): OverlayDocument {
  const name = path.basename(filePath(location));
  const doc = readDataFile(location, name);
  assertOverlay(doc, name);
  return doc;
}

/** Rejects documents that are not OpenAPI 3.0 or 3.1. */
export function assertOpenApi3(doc: unknown, name: string): asserts doc is OpenApiDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(`${name}: not an OpenAPI document (expected a YAML or JSON object)`);
  }
  const version = (doc as OpenApiDocument).openapi;
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    throw new Error(
      `${name}: expected "openapi: 3.0.x" or "3.1.x", found ${JSON.stringify(version ?? (doc as OpenApiDocument).swagger ?? null)}`,
    );
  }
}

export interface ReadSpecOptions {
  /** The overlay to apply; default this package's `overlay.yaml`; `false`: none. */
  overlay?: OverlayDocument | false;
  /** How messages name the file. Default its base name. */
  name?: string;
  /** Told about each overlay action that selected nothing in this file. */
  onUnmatched?: (action: OverlayAction) => void;
}

/** Reads a spec file, checks it is OpenAPI 3, and applies the overlay: what everything reads. */
export function readSpecDocument(
  location: Location,
  options: ReadSpecOptions = {},
): OpenApiDocument {
  const name = options.name ?? path.basename(filePath(location));
  const doc = readDataFile(location, name);
  assertOpenApi3(doc, name);
  const overlay = options.overlay ?? readOverlay();
  if (overlay === false) return doc;
  const { document, unmatched } = applyOverlay(doc, overlay);
  for (const action of unmatched) options.onUnmatched?.(action);
  return document;
}

/** The spec file of a version folder (`<dir>/<version>/campaigns.yaml` or `.json`), if any. */
export function findSpecFile(version: string, dir: Location = OPENAPI_DIR): URL | undefined {
  const folder = path.join(filePath(dir), version);
  const found = SPEC_FILE_NAMES.filter((name) => existsSync(path.join(folder, name)));
  if (found.length > 1) {
    throw new Error(
      `${version}/: ${found.join(' and ')} both describe the version: keep one of them`,
    );
  }
  return found[0] && pathToFileURL(path.join(folder, found[0]));
}

/**
 * Which folder names are API versions. The rule is the client's `isApiVersion`
 * (`@campaigns/hubspot-client/version`); this package cannot import it (the client is generated
 * from this package), so callers that need it pass it in.
 */
export type VersionRule = (name: string) => boolean;

/** One folder name, nothing that leaves `dir` (`..`, separators): a path rule, not a version rule. */
function isFolderName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);
}

/**
 * The spec file of a version; throws naming the versions there are when it has none (or when
 * `isVersion` is given and the name is not a version).
 */
export function specFileOf(
  version: string,
  dir: Location = OPENAPI_DIR,
  isVersion?: VersionRule,
): URL {
  const allowed = isFolderName(version) && (isVersion?.(version) ?? true);
  const file = allowed ? findSpecFile(version, dir) : undefined;
  if (!file) {
    throw new Error(
      `no spec for API version ${JSON.stringify(version)} in ${filePath(dir)} (versions there: ${specVersions(dir, isVersion).join(', ') || 'none'})`,
    );
  }
  return file;
}

/**
 * Names of the folders under `dir` that hold a spec file, sorted; with `isVersion`, only those
 * named as a version. A missing `dir` has none.
 */
export function specVersions(dir: Location = OPENAPI_DIR, isVersion?: VersionRule): string[] {
  if (!existsSync(filePath(dir))) return [];
  return readdirSync(filePath(dir), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        (isVersion?.(entry.name) ?? true) &&
        findSpecFile(entry.name, dir) !== undefined,
    )
    .map((entry) => entry.name)
    .sort();
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/**
 * `maxItems` of the `inputs` array of every operation whose JSON body has one (HubSpot's batch
 * shape), by `METHOD path` with the path as the spec writes it, in path order; undefined where
 * the spec (after the overlay) declares none.
 */
export function batchInputLimits(doc: OpenApiDocument): Record<string, number | undefined> {
  const limits: Record<string, number | undefined> = {};
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = record(record(item)?.[method]);
      const requestBody = resolve(doc, operation?.requestBody);
      const content = record(record(requestBody)?.content);
      const schema = resolve(doc, record(content?.['application/json'])?.schema);
      const inputs = record(resolve(doc, record(record(schema)?.properties)?.inputs));
      if (inputs?.type !== 'array') continue;
      const { maxItems } = inputs;
      limits[`${method.toUpperCase()} ${route}`] =
        typeof maxItems === 'number' && Number.isInteger(maxItems) && maxItems >= 1
          ? maxItems
          : undefined;
    }
  }
  return limits;
}

/**
 * `batchInputLimits`, refusing a batch operation that has none even after the overlay: it would
 * take batches of any size. The codegen and the simulator both refuse such a spec.
 */
export function requireBatchInputLimits(
  doc: OpenApiDocument,
  name: string,
): Record<string, number> {
  const limits = batchInputLimits(doc);
  const unbounded = Object.keys(limits).filter((route) => limits[route] === undefined);
  if (unbounded.length > 0) {
    throw new Error(
      `${name}: no maxItems on the inputs of ${unbounded.join(', ')}, even after the overlay: declare it in the spec or extend openapi/overlay.yaml`,
    );
  }
  return limits as Record<string, number>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Follows local `$ref`s (`#/components/...`); other values come back as they are. */
function resolve(doc: OpenApiDocument, value: unknown, seen = new Set<string>()): unknown {
  const ref = record(value)?.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/') || seen.has(ref)) return undefined;
  seen.add(ref);
  let target: unknown = doc;
  for (const part of ref.slice(2).split('/'))
    target = record(target)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return resolve(doc, target, seen);
}
