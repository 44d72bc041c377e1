// What changed between two OpenAPI files, per operation and per component schema, and whether
// each change breaks an existing client. api-smart-diff finds the changes (it follows `$ref`s, so
// a change in a shared schema shows under every operation that uses it, and matches paths whose
// parameter names differ); which of them are breaking is decided here, by the rules in README.md,
// because its own classification is direction-blind for component schemas and calls a response
// field's type change or a request enum that appears non-breaking.
import { apiDiff, type Diff } from 'api-smart-diff';
import {
  assertOpenApi3,
  dropNullExamples,
  normalizeApiPaths,
  type OpenApiDocument,
} from '@campaigns/codegen';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface SpecChange {
  /** An operation (`POST /batch/update`), a component schema, or the rest of the document. */
  scope: 'operation' | 'schema' | 'document';
  /** `POST /batch/update` (path relative to the API root), `Campaign`, `servers`... */
  target: string;
  kind: ChangeKind;
  breaking: boolean;
  /**
   * Where in the target: `response 200 (application/json)`, `request body (application/json)`,
   * `query parameter limit`; empty for the whole target (and for a schema).
   */
  where: string;
  /** The field there, `results[].id`; empty when the change is not to one field. */
  field: string;
  /** What changed there: `type string → integer`, `field added`, `renamed to items`... */
  detail: string;
  /**
   * True when the generated types show every breaking part of this change (an operation, a
   * field, `required`, `type`, `nullable`), so a passing typecheck proves the code follows it.
   * False for what TypeScript cannot see: `format` (int32 → int64), `pattern`, length and range
   * bounds, `enum` values, security scopes, parameters and responses. Those need a review.
   */
  typed: boolean;
}

export interface SpecDiff {
  /** Listed changes: operations first, then schemas, then the rest, each in document order. */
  changes: SpecChange[];
  /** Changes to documentation only (descriptions, examples, summaries, operationIds, tags). */
  documentationOnly: number;
}

/**
 * Compares two OpenAPI 3 documents (parsed YAML or JSON, in any of HubSpot's path layouts: full
 * paths are made relative to the API root first, so a `v3` file and a date version's file
 * compare operation by operation).
 */
export function diffSpecs(oldSpec: unknown, newSpec: unknown): SpecDiff {
  const before = prepare(oldSpec, 'old spec');
  const after = prepare(newSpec, 'new spec');
  // The engine inlines every `$ref`: refuse documents whose inlined form is unreasonably large.
  assertBoundedRefs(before, 'old spec');
  assertBoundedRefs(after, 'new spec');
  const usage = schemaUsage(before, after);
  const leaves: Leaf[] = [];
  let documentationOnly = 0;
  for (const diff of apiDiff(structuredClone(before), structuredClone(after))) {
    const leaf = describe(diff, before, after, usage);
    if (leaf === 'documentation') documentationOnly++;
    else if (leaf) leaves.push(leaf);
  }
  return { changes: group(leaves), documentationOnly };
}

/** Most nodes a document may have once its `$ref`s are inlined, as the engine inlines them. */
export const MAX_INLINED_NODES = 250_000;
/** Most levels a document may nest, counting the levels its `$ref`s add. */
export const MAX_INLINED_DEPTH = 200;

/**
 * Refuses a document the engine would take unbounded work or stack on: api-smart-diff inlines
 * every `$ref`, so 17 schemas that each use the one before twice become 65,537 copies of the first
 * (and a few more overflow the stack). Counts the inlined size once per `$ref` (remembered), so
 * this check itself stays linear; a `$ref` back into its own chain counts as one node.
 */
export function assertBoundedRefs(doc: OpenApiDocument, name: string): void {
  /** Inlined size and depth below each `$ref` already measured. */
  const measured = new Map<string, { size: number; depth: number }>();
  const refuse = (what: string): never => {
    throw new Error(
      `${name}: ${what} once its $refs are inlined; refusing to compare it (schemas that reference each other in a deep or doubling chain?)`,
    );
  };
  type Measure = { size: number; depth: number };
  const visit = (node: unknown, chain: string[], level: number): Measure => {
    if (level > MAX_INLINED_DEPTH) refuse(`nests deeper than ${MAX_INLINED_DEPTH} levels`);
    if (node === null || typeof node !== 'object') return { size: 1, depth: 0 };
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      if (chain.includes(ref)) return { size: 1, depth: 0 };
      let result = measured.get(ref);
      if (result === undefined) {
        let target: unknown = doc;
        for (const part of pointerPath(ref)) target = record(target)?.[part];
        result = visit(target, [...chain, ref], level + 1);
        measured.set(ref, result);
      }
      // Each hop counts as a level: a chain of `$ref`s to `$ref`s is followed hop by hop.
      const depth = result.depth + 1;
      if (level + depth > MAX_INLINED_DEPTH) {
        refuse(`nests deeper than ${MAX_INLINED_DEPTH} levels`);
      }
      return { size: result.size, depth };
    }
    let size = 1;
    let depth = 0;
    for (const value of Object.values(node)) {
      const child = visit(value, chain, level + 1);
      size += child.size;
      depth = Math.max(depth, child.depth + 1);
      if (size > MAX_INLINED_NODES) refuse(`has more than ${MAX_INLINED_NODES} nodes`);
    }
    return { size, depth };
  };
  visit(doc, [], 0);
}

/** A parsed spec, checked and normalized as the codegen reads it (paths relative to the API root). */
export function prepare(spec: unknown, name: string): OpenApiDocument {
  assertOpenApi3(spec, name);
  return normalizeApiPaths(dropNullExamples(structuredClone(spec)));
}

type Direction = 'request' | 'response';
type JsonPath = Diff['path'];

/** One change of the engine, placed and classified. */
interface Leaf {
  scope: SpecChange['scope'];
  target: string;
  /** The section of the target (`response 200 (application/json)`), without the field. */
  section: string;
  /** `results[].id`, or '' for the section itself. */
  field: string;
  kind: ChangeKind;
  breaking: boolean;
  /** See `SpecChange.typed`. */
  typed: boolean;
  detail: string;
  /** For an added or removed field: its schema, to recognise a rename. */
  schema?: unknown;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** Keywords that only document: changing them changes no client. */
const DOCUMENTATION = new Set([
  'description',
  'summary',
  'title',
  'example',
  'examples',
  'externalDocs',
  'operationId',
  'tags',
  'xml',
]);
const UPPER_BOUNDS = new Set(['maxItems', 'maxLength', 'maximum', 'maxProperties']);
const LOWER_BOUNDS = new Set(['minItems', 'minLength', 'minimum', 'minProperties']);

function describe(
  diff: Diff,
  before: OpenApiDocument,
  after: OpenApiDocument,
  usage: Map<string, Set<Direction>>,
): Leaf | 'documentation' | undefined {
  if (diff.type === 'annotation') return 'documentation';
  const path = diff.path;
  if (path[0] === 'paths' && path.length >= 3 && METHODS.has(String(path[2]))) {
    const target = `${String(path[2]).toUpperCase()} ${String(path[1])}`;
    const rest = path.slice(3);
    if (rest.length === 0) {
      return {
        scope: 'operation',
        target,
        section: '',
        field: '',
        kind: kindOf(diff),
        breaking: diff.action === 'remove',
        typed: true,
        detail: `operation ${kindOf(diff)}`,
      };
    }
    if (rest[0] === 'security') {
      const security = (doc: OpenApiDocument) => effectiveSecurity(doc, path.slice(0, 3));
      return securityLeaf(diff, 'operation', target, rest.slice(1), [
        security(before),
        security(after),
      ]);
    }
    const located = locateInOperation(rest, [...path.slice(0, 3)], before, after);
    if (located.schemaPath) {
      return schemaLeaf(diff, 'operation', target, located.section, located.schemaPath, {
        directions: new Set([located.direction ?? 'request']),
        nodePath: path.slice(0, path.length - located.schemaPath.length),
        before,
        after,
      });
    }
    return otherLeaf(diff, 'operation', target, located.section);
  }
  if (path[0] === 'components' && path[1] === 'schemas' && path.length >= 3) {
    const name = String(path[2]);
    const schemaPath = path.slice(3);
    if (throughSharedRef(diff, path.slice(0, 3), schemaPath, before, after)) return undefined;
    return schemaLeaf(diff, 'schema', name, '', schemaPath, {
      directions: usage.get(name) ?? new Set(),
      nodePath: path.slice(0, 3),
      before,
      after,
    });
  }
  if (path[0] === 'components' && path.length >= 3) {
    return otherLeaf(diff, 'document', `components.${String(path[1])}.${String(path[2])}`, '', {
      rest: path.slice(3),
    });
  }
  if (path[0] === 'security') {
    return securityLeaf(diff, 'document', 'security', path.slice(1), [
      securityRequirements(before.security) ?? [],
      securityRequirements(after.security) ?? [],
    ]);
  }
  return otherLeaf(diff, 'document', String(path[0] ?? ''), '', { rest: path.slice(1) });
}

/** A security requirement: scheme name → scopes; a list of them is alternatives (any one will do). */
type Requirement = Map<string, Set<string>>;

function securityRequirements(value: unknown): Requirement[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map(
    (requirement) =>
      new Map(
        Object.entries(record(requirement) ?? {}).map(([scheme, scopes]) => [
          scheme,
          new Set(Array.isArray(scopes) ? scopes.map(String) : []),
        ]),
      ),
  );
}

/** An operation's security: its own `security`, or else the document's. */
function effectiveSecurity(doc: OpenApiDocument, operationPath: JsonPath): Requirement[] {
  const own = record(valueAt(doc, operationPath))?.security;
  return securityRequirements(own) ?? securityRequirements(doc.security) ?? [];
}

/**
 * True when some caller allowed before is refused now: an alternative it could meet is gone and
 * no remaining alternative asks for no more than it did (a scope or scheme added to a
 * requirement, an alternative removed, security added where there was none).
 */
function securityNarrowed(before: Requirement[], after: Requirement[]): boolean {
  const open = (list: Requirement[]) => list.length === 0 || list.some((r) => r.size === 0);
  if (open(after)) return false;
  if (open(before)) return true;
  const within = (need: Requirement, had: Requirement) =>
    [...need].every(
      ([scheme, scopes]) =>
        had.has(scheme) && [...scopes].every((scope) => had.get(scheme)!.has(scope)),
    );
  return before.some((had) => !after.some((need) => within(need, had)));
}

/**
 * A change to a `security` list. The engine compares the lists item by item, so whether it breaks
 * is decided here, on the whole requirement before and after, not on the item that moved.
 */
function securityLeaf(
  diff: Diff,
  scope: SpecChange['scope'],
  target: string,
  rest: JsonPath,
  [before, after]: [Requirement[], Requirement[]],
): Leaf {
  const kind = kindOf(diff);
  const values = diff.action === 'replace' ? `: ${show(diff.before)} → ${show(diff.after)}` : '';
  const value =
    diff.action === 'add'
      ? ` ${show(diff.after)}`
      : diff.action === 'remove'
        ? ` ${show(diff.before)}`
        : '';
  const where = rest.length > 0 ? `security.${rest.map(String).join('.')}` : 'security';
  return {
    scope,
    target,
    section: scope === 'document' ? '' : 'security',
    field: '',
    kind: 'changed',
    breaking: securityNarrowed(before, after),
    typed: false,
    detail: `${where}${value} ${kind}${values}`,
  };
}

/** Which part of an operation a path below it names, and where its schema starts. */
function locateInOperation(
  rest: JsonPath,
  operationPath: JsonPath,
  before: OpenApiDocument,
  after: OpenApiDocument,
): { section: string; schemaPath?: JsonPath; direction?: Direction } {
  const [head, a, b, c, d] = rest;
  if (head === 'requestBody') {
    if (a === 'content' && c === 'schema' && b !== undefined) {
      return {
        section: `request body (${String(b)})`,
        schemaPath: rest.slice(4),
        direction: 'request',
      };
    }
    return { section: ['request body', ...rest.slice(1)].join(' ') };
  }
  if (head === 'responses' && a !== undefined) {
    if (b === 'content' && d === 'schema' && c !== undefined) {
      return {
        section: `response ${String(a)} (${String(c)})`,
        schemaPath: rest.slice(5),
        direction: 'response',
      };
    }
    return { section: [`response ${String(a)}`, ...rest.slice(2)].join(' ') };
  }
  if (head === 'parameters' && a !== undefined) {
    const parameter =
      record(valueAt(after, [...operationPath, 'parameters', a])) ??
      record(valueAt(before, [...operationPath, 'parameters', a]));
    const name =
      parameter && typeof parameter.name === 'string'
        ? `${String(parameter.in ?? '')} parameter ${parameter.name}`.trim()
        : `parameter #${String(a)}`;
    if (b === 'schema') return { section: name, schemaPath: rest.slice(3), direction: 'request' };
    return { section: [name, ...rest.slice(2)].join(' ') };
  }
  return { section: rest.map(String).join('.') };
}

interface SchemaContext {
  /** How the schema is used: by requests, responses, both, or (an unused schema) neither. */
  directions: Set<Direction>;
  /** The JSON path of the schema's root in the (`$ref`-resolved) documents. */
  nodePath: JsonPath;
  before: OpenApiDocument;
  after: OpenApiDocument;
}

/** A change inside a schema: a field added or removed, or one of its keywords changed. */
function schemaLeaf(
  diff: Diff,
  scope: SpecChange['scope'],
  target: string,
  section: string,
  schemaPath: JsonPath,
  context: SchemaContext,
): Leaf | 'documentation' {
  const { field, keyword, index, consumed } = splitSchemaPath(schemaPath);
  const base = { scope, target, section };
  const breaksFor = (rule: (direction: Direction) => boolean): boolean =>
    [...context.directions].some(rule);
  const keywordPath = [...context.nodePath, ...schemaPath.slice(0, consumed), keyword ?? ''];

  if (keyword === undefined) {
    const kind = kindOf(diff);
    const name = field.split('.').pop() ?? '';
    const parentRequired = valueAt(context.after, [
      ...context.nodePath,
      ...schemaPath.slice(0, Math.max(0, consumed - 2)),
      'required',
    ]);
    const newlyRequired = Array.isArray(parentRequired) && parentRequired.includes(name);
    return {
      ...base,
      field,
      kind,
      detail: field === '' ? `schema ${kind}` : `field ${kind}`,
      breaking:
        kind === 'added'
          ? breaksFor((direction) => direction === 'request' && newlyRequired)
          : context.directions.size > 0,
      typed: true,
      schema: kind === 'added' ? diff.after : kind === 'removed' ? diff.before : undefined,
    };
  }
  if (DOCUMENTATION.has(keyword) || keyword.startsWith('x-')) return 'documentation';

  if (keyword === 'required' && index !== undefined) {
    // One name added to or removed from `required`: about that field.
    const name = String(diff.action === 'add' ? diff.after : diff.before);
    const added = diff.action === 'add';
    return {
      ...base,
      field: field === '' ? name : `${field}.${name}`,
      kind: 'changed',
      detail: added ? 'now required' : 'no longer required',
      breaking: breaksFor((direction) => (direction === 'request') === added),
      typed: true,
    };
  }
  if (keyword === 'enum') {
    const old = valueAt(context.before, keywordPath);
    const now = valueAt(context.after, keywordPath);
    const oldValues = Array.isArray(old) ? old : undefined;
    const newValues = Array.isArray(now) ? now : undefined;
    // A request may no longer send a value it could; an answer may carry one a client never saw.
    const narrowed = (from?: unknown[], to?: unknown[]) =>
      to !== undefined && (from === undefined || from.some((value) => !to.includes(value)));
    return {
      ...base,
      field,
      kind: 'changed',
      detail: `enum ${show(oldValues ?? 'any')} → ${show(newValues ?? 'any')}`,
      breaking: breaksFor((direction) =>
        direction === 'request' ? narrowed(oldValues, newValues) : narrowed(newValues, oldValues),
      ),
      // A new answer value compiles wherever the code does not switch over every value.
      typed: false,
    };
  }
  const old = diff.action === 'add' ? undefined : diff.before;
  const now = diff.action === 'remove' ? undefined : diff.after;
  const detail =
    diff.action === 'add'
      ? `${keyword} ${show(now)} added`
      : diff.action === 'remove'
        ? `${keyword} ${show(old)} removed`
        : `${keyword} ${show(old)} → ${show(now)}`;
  let breaking: boolean;
  if (UPPER_BOUNDS.has(keyword) || LOWER_BOUNDS.has(keyword)) {
    const upper = UPPER_BOUNDS.has(keyword);
    // Lowering an upper bound (or adding one) refuses requests that passed before; raising it
    // lets answers carry more than clients were told.
    const tighter = (from: unknown, to: unknown) =>
      typeof to === 'number' && (typeof from !== 'number' || (upper ? to < from : to > from));
    breaking = breaksFor((direction) =>
      direction === 'request' ? tighter(old, now) : tighter(now, old),
    );
  } else if (keyword === 'type' || keyword === 'format') {
    breaking = context.directions.size > 0;
  } else if (keyword === 'nullable') {
    breaking = breaksFor((direction) =>
      direction === 'request' ? old === true && now !== true : now === true && old !== true,
    );
  } else {
    breaking = diff.type === 'breaking' && context.directions.size > 0;
  }
  // The generated types carry `type` and `nullable`; `format`, bounds, `pattern` they drop.
  const typed = keyword === 'type' || keyword === 'nullable';
  return { ...base, field, kind: 'changed', detail, breaking, typed };
}

/** A change outside any schema: a response, a parameter's `required`, security, servers... */
function otherLeaf(
  diff: Diff,
  scope: SpecChange['scope'],
  target: string,
  section: string,
  options: { rest?: JsonPath } = {},
): Leaf | 'documentation' {
  const rest = (options.rest ?? []).map(String);
  const keyword = String(diff.path[diff.path.length - 1] ?? '');
  if (DOCUMENTATION.has(keyword) || keyword.startsWith('x-')) return 'documentation';
  const kind = kindOf(diff);
  const what = rest.length > 0 ? rest.join('.') : section === '' ? target : '';
  const values = diff.action === 'replace' ? `: ${show(diff.before)} → ${show(diff.after)}` : '';
  return {
    scope,
    target,
    section: scope === 'document' ? '' : section,
    field: '',
    kind,
    breaking: diff.type === 'breaking',
    typed: false,
    detail: `${what ? `${what} ` : ''}${kind}${values}`,
  };
}

/**
 * Splits a path inside a schema into the field it names (`results[].id`) and the keyword changed
 * there (`type`, or `required` and the index of the name), if any.
 */
function splitSchemaPath(path: JsonPath): {
  field: string;
  keyword?: string;
  index?: string | number;
  /** How many segments belong to the field. */
  consumed: number;
} {
  let field = '';
  let i = 0;
  while (i < path.length) {
    const segment = String(path[i]);
    const next = path[i + 1];
    if (segment === 'properties' && next !== undefined) {
      field = field === '' ? String(next) : `${field}.${String(next)}`;
      i += 2;
    } else if (segment === 'items' && i + 1 < path.length) {
      field = `${field}[]`;
      i += 1;
    } else if (segment === 'additionalProperties' && i + 1 < path.length) {
      field = `${field}{}`;
      i += 1;
    } else if (
      (segment === 'allOf' || segment === 'oneOf' || segment === 'anyOf') &&
      i + 2 < path.length
    ) {
      field = `${field}(${segment} ${String(next)})`;
      i += 2;
    } else {
      return { field, keyword: segment, index: next, consumed: i };
    }
  }
  return { field, consumed: i };
}

/**
 * True for a change below a component schema that happened inside another schema it references
 * by the same `$ref` in both versions: that schema reports it, not each schema using it.
 */
function throughSharedRef(
  diff: Diff,
  root: JsonPath,
  below: JsonPath,
  before: OpenApiDocument,
  after: OpenApiDocument,
): boolean {
  const refOnTheWay = (doc: OpenApiDocument): string | undefined => {
    let node: unknown = valueAt(doc, root);
    for (const segment of below.slice(0, -1)) {
      const ref = record(node)?.$ref;
      if (typeof ref === 'string') return ref;
      node =
        record(node)?.[String(segment)] ??
        (Array.isArray(node) ? node[Number(segment)] : undefined);
      if (node === undefined) return undefined;
    }
    const ref = record(node)?.$ref;
    return typeof ref === 'string' && below.length > 0 ? ref : undefined;
  };
  const docs =
    diff.action === 'add' ? [after] : diff.action === 'remove' ? [before] : [before, after];
  const refs = docs.map(refOnTheWay);
  return refs.every((ref) => ref !== undefined && ref === refs[0]);
}

/** Which component schemas requests and answers use (directly or through other schemas). */
function schemaUsage(...docs: OpenApiDocument[]): Map<string, Set<Direction>> {
  const usage = new Map<string, Set<Direction>>();
  for (const doc of docs) {
    for (const item of Object.values(doc.paths ?? {})) {
      const pathItem = record(item) ?? {};
      for (const [method, operation] of Object.entries(pathItem)) {
        if (!METHODS.has(method)) continue;
        const op = record(operation) ?? {};
        const mark = (node: unknown, direction: Direction) =>
          collectRefs(doc, node, (name) => {
            const set = usage.get(name) ?? new Set<Direction>();
            set.add(direction);
            usage.set(name, set);
          });
        mark([op.requestBody, op.parameters, pathItem.parameters], 'request');
        mark(op.responses, 'response');
      }
    }
  }
  return usage;
}

function collectRefs(
  doc: OpenApiDocument,
  node: unknown,
  found: (schema: string) => void,
  seen = new Set<string>(),
): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(doc, item, found, seen);
    return;
  }
  const object = record(node);
  if (!object) return;
  const ref = object.$ref;
  if (typeof ref === 'string') {
    if (seen.has(ref)) return;
    seen.add(ref);
    const schema = /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1];
    if (schema) found(unescapePointer(schema));
    collectRefs(doc, valueAt(doc, pointerPath(ref)), found, seen);
    return;
  }
  for (const value of Object.values(object)) collectRefs(doc, value, found, seen);
}

/** The value at a JSON path, following local `$ref`s on the way (as the engine's paths do). */
function valueAt(doc: unknown, path: JsonPath): unknown {
  let node: unknown = doc;
  for (const segment of path) {
    node = follow(doc, node);
    if (Array.isArray(node)) node = node[Number(segment)];
    else node = record(node)?.[String(segment)];
    if (node === undefined) return undefined;
  }
  return follow(doc, node);
}

function follow(doc: unknown, node: unknown, seen = new Set<string>()): unknown {
  const ref = record(node)?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/') || seen.has(ref)) return node;
  seen.add(ref);
  let target: unknown = doc;
  for (const part of pointerPath(ref)) target = record(target)?.[String(part)];
  return follow(doc, target, seen);
}

function pointerPath(ref: string): string[] {
  return ref.replace(/^#\//, '').split('/').map(unescapePointer);
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function kindOf(diff: Diff): ChangeKind {
  return diff.action === 'add' ? 'added' : diff.action === 'remove' ? 'removed' : 'changed';
}

/** A value, short, for a report line. */
function show(value: unknown): string {
  if (value === 'any') return 'any';
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Merges the leaves of one field into one change (`type string → integer; format removed`), and
 * a field removed beside one added with the same schema into a rename.
 */
function group(leaves: Leaf[]): SpecChange[] {
  const renamed = findRenames(leaves);
  const placeOf = (leaf: Leaf) =>
    [leaf.scope, leaf.target, leaf.section, leaf.field].join('\u0000');
  // The new name's own changes (`now required`) are told by the rename.
  const newNames = new Set([...renamed].filter(([, to]) => to === null).map(([l]) => placeOf(l)));
  const byPlace = new Map<string, { leaves: Leaf[]; rename?: string }>();
  for (const leaf of leaves) {
    const key = placeOf(leaf);
    if (newNames.has(key)) continue;
    const rename = renamed.get(leaf);
    const entry = byPlace.get(key) ?? { leaves: [] };
    entry.leaves.push(leaf);
    if (rename) entry.rename = rename;
    byPlace.set(key, entry);
  }
  const changes: SpecChange[] = [];
  for (const { leaves: group, rename } of byPlace.values()) {
    // A field (or operation) added or removed is that, whatever else is said about it there.
    const whole = group.find((l) => l.kind !== 'changed');
    const first = group[0]!;
    const details = [...new Set([...(whole ? [whole] : []), ...group].map((l) => l.detail))];
    changes.push({
      scope: first.scope,
      target: first.target,
      kind: rename ? 'changed' : (whole?.kind ?? 'changed'),
      breaking: group.some((l) => l.breaking),
      typed: group.every((l) => !l.breaking || l.typed),
      where: first.section,
      field: first.field,
      detail: rename ? `renamed to \`${rename}\`` : details.join('; '),
    });
  }
  const order = { operation: 0, schema: 1, document: 2 } as const;
  return changes
    .map((change, i) => ({ change, i }))
    .sort((a, b) => order[a.change.scope] - order[b.change.scope] || a.i - b.i)
    .map(({ change }) => change);
}

/**
 * Field removals paired with a field added beside them whose schema is the same: a rename.
 * The removed leaf maps to the new name, the added one to null.
 */
function findRenames(leaves: Leaf[]): Map<Leaf, string | null> {
  const result = new Map<Leaf, string | null>();
  const isField = (leaf: Leaf) => leaf.field !== '' && leaf.detail.startsWith('field ');
  const parent = (field: string) => field.slice(0, Math.max(0, field.lastIndexOf('.')));
  const added = leaves.filter((l) => isField(l) && l.kind === 'added');
  for (const removed of leaves.filter((l) => isField(l) && l.kind === 'removed')) {
    const match = added.find(
      (a) =>
        !result.has(a) &&
        a.scope === removed.scope &&
        a.target === removed.target &&
        a.section === removed.section &&
        parent(a.field) === parent(removed.field) &&
        JSON.stringify(a.schema) === JSON.stringify(removed.schema),
    );
    if (!match) continue;
    result.set(removed, match.field.slice(parent(match.field).length).replace(/^\./, ''));
    result.set(match, null);
  }
  return result;
}
