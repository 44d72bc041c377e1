// Applies an OpenAPI Overlay 1.0.0 document (https://spec.openapis.org/overlay/v1.0.0): an
// ordered list of actions, each selecting nodes with an RFC 9535 JSONPath `target` and either
// removing them or merging an `update` into them. The JSONPath engine is jsonpath-rfc9535 (the
// RFC's grammar and functions, paths as arrays); the two actions are the few lines below.
import { exec } from 'jsonpath-rfc9535';

export interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: boolean;
}

export interface OverlayDocument {
  overlay: string;
  info: { title: string; version: string };
  extends?: string;
  actions: OverlayAction[];
}

export interface OverlayResult<T> {
  /** A new document; the input is left as it was. */
  document: T;
  /** Actions whose target selected nothing in this document, in overlay order. */
  unmatched: OverlayAction[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Throws unless `value` is an Overlay 1.0.x document with well-formed actions. */
export function assertOverlay(value: unknown, name = 'overlay'): asserts value is OverlayDocument {
  const doc = value as Partial<OverlayDocument> | null;
  if (!isObject(doc)) throw new Error(`${name}: not an Overlay document (expected an object)`);
  if (typeof doc.overlay !== 'string' || !/^1\.0\.\d+$/.test(doc.overlay)) {
    throw new Error(`${name}: expected "overlay: 1.0.x", found ${JSON.stringify(doc.overlay)}`);
  }
  if (!isObject(doc.info) || typeof doc.info.title !== 'string') {
    throw new Error(`${name}: info.title is required`);
  }
  if (!Array.isArray(doc.actions) || doc.actions.length === 0) {
    throw new Error(`${name}: actions must be a non-empty list`);
  }
  doc.actions.forEach((action: unknown, i) => {
    const where = `${name}: action ${i + 1}`;
    if (!isObject(action)) throw new Error(`${where} is not an object`);
    if (typeof action.target !== 'string' || !action.target.startsWith('$')) {
      throw new Error(`${where}: target must be a JSONPath expression starting with $`);
    }
    if (action.remove !== undefined && typeof action.remove !== 'boolean') {
      throw new Error(`${where}: remove must be true or false`);
    }
    if (action.remove !== true && action.update === undefined) {
      throw new Error(`${where}: has neither update nor remove: true`);
    }
  });
}

/**
 * Applies `overlay` to a copy of `document`, action by action: `remove: true` deletes each
 * selected node from its parent; otherwise `update` is merged into each selected object or
 * appended to each selected array. The merge follows the Overlay rules: object into object
 * recurses, array into array concatenates, a primitive replaces a primitive, and any other pair
 * throws naming the path. A node selected twice (`$.list[1,1]`) is acted on once. The copy is a
 * JSON copy, so nodes a YAML alias shared in the input are separate nodes here. A target that is
 * not valid JSONPath, or an update aimed at a scalar, throws.
 */
export function applyOverlay<T>(document: T, overlay: OverlayDocument): OverlayResult<T> {
  let root = jsonCopy(document as Json);
  const unmatched: OverlayAction[] = [];
  overlay.actions.forEach((action, i) => {
    const where = `overlay action ${i + 1} (${action.target})`;
    const selected: Array<Array<string | number>> = [];
    const seen = new Set<string>();
    try {
      exec(root, action.target, (_value, path) => {
        const key = normalizedPath(path);
        if (seen.has(key)) return;
        seen.add(key);
        selected.push([...path]);
      });
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    if (selected.length === 0) {
      unmatched.push(action);
      return;
    }
    if (action.remove === true) {
      // Deepest and last first, so removing one node never shifts the index of another.
      for (const path of selected.sort(compareForRemoval)) {
        if (path.length === 0) throw new Error(`${where}: cannot remove the document itself`);
        const parent = nodeAt(root, path.slice(0, -1));
        const key = path.at(-1)!;
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (isObject(parent)) delete parent[key as string];
      }
      return;
    }
    for (const path of selected) {
      const target = nodeAt(root, path);
      let next: Json;
      if (Array.isArray(target)) next = [...target, jsonCopy(action.update as Json)];
      else if (isObject(target) && isObject(action.update))
        next = merge(target, action.update as Json, path, where);
      else {
        throw new Error(
          `${where}: update needs an object or array target and an object update, found ${describe(target)} and ${describe(action.update)}`,
        );
      }
      if (path.length === 0) root = next;
      else {
        const parent = nodeAt(root, path.slice(0, -1)) as Record<string, Json> | Json[];
        (parent as Record<string | number, Json>)[path.at(-1)!] = next;
      }
    }
  });
  return { document: root as T, unmatched };
}

/** The Overlay merge of `update` into the node at `path`; throws when their kinds do not fit. */
function merge(
  target: Json,
  update: Json,
  path: ReadonlyArray<string | number>,
  where: string,
): Json {
  if (isObject(target) && isObject(update)) {
    const out: { [key: string]: Json } = { ...target };
    for (const [key, value] of Object.entries(update)) {
      out[key] = Object.hasOwn(out, key)
        ? merge(out[key]!, value, [...path, key], where)
        : jsonCopy(value);
    }
    return out;
  }
  if (Array.isArray(target) && Array.isArray(update)) return [...target, ...jsonCopy(update)];
  const primitive = (value: Json) => value === null || typeof value !== 'object';
  if (primitive(target) && primitive(update)) return update;
  throw new Error(
    `${where}: cannot merge ${describe(update)} into ${describe(target)} at ${normalizedPath(path)}`,
  );
}

/** A deep copy through JSON: no node of the copy is shared, whatever the input shared. */
function jsonCopy<T extends Json>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** RFC 9535's normalized path of a node: `$['paths']['/a'][0]`. */
function normalizedPath(path: ReadonlyArray<string | number>): string {
  const quote = (name: string) =>
    `'${JSON.stringify(name).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  return `$${path.map((key) => `[${typeof key === 'number' ? key : quote(key)}]`).join('')}`;
}

function nodeAt(root: Json, path: ReadonlyArray<string | number>): Json {
  let node = root;
  for (const key of path) node = (node as Record<string | number, Json>)[key]!;
  return node;
}

function compareForRemoval(a: Array<string | number>, b: Array<string | number>): number {
  if (a.length !== b.length) return b.length - a.length;
  const [x, y] = [a.at(-1), b.at(-1)];
  return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
