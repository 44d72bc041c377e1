// What changed between two versions of a generated types module, in the spec's terms: which
// operations (by method and path) and which component schemas (down to their fields) differ, so a
// drift message tells a reviewer what the spec change was instead of the first differing line.
import ts from 'typescript';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Outline {
  /** `POST /batch/update` → the text of its path item entry (inline operations included). */
  routes: Map<string, string>;
  /** Operation id → its text in `operations`. */
  operations: Map<string, string>;
  /** Operation id → the routes that use it. */
  routesOfOperation: Map<string, string[]>;
  /** `schemas` / `responses` / ... → name → member. */
  components: Map<string, Map<string, ts.TypeElement>>;
}

export interface TypesChange {
  /** Routes (`POST /batch/update`) added, removed, or whose operation types changed. */
  operations: { added: string[]; removed: string[]; changed: string[] };
  /** Component schemas added, removed or changed; a changed one lists its changed fields. */
  schemas: { added: string[]; removed: string[]; changed: SchemaChange[] };
  /** Other components (`responses.Error`, `parameters.Limit`) added, removed or changed. */
  otherComponents: { added: string[]; removed: string[]; changed: string[] };
}

export interface SchemaChange {
  name: string;
  /** `id: string → number`, `name added`, `goal removed`; empty when only its docs changed. */
  fields: string[];
}

/** The structural difference between the committed and a freshly generated types module. */
export function diffGeneratedTypes(committed: string, generated: string): TypesChange {
  const before = outline(committed);
  const after = outline(generated);

  const routes = compareMaps(before.routes, after.routes);
  const changedOperations = new Set(routes.changed);
  for (const id of compareMaps(before.operations, after.operations).changed) {
    for (const route of after.routesOfOperation.get(id) ?? before.routesOfOperation.get(id) ?? [])
      changedOperations.add(route);
  }
  const operations = {
    added: routes.added,
    removed: routes.removed,
    changed: [...after.routes.keys(), ...before.routes.keys()].filter(
      (route, i, all) => changedOperations.has(route) && all.indexOf(route) === i,
    ),
  };

  const schemasBefore = before.components.get('schemas') ?? new Map<string, ts.TypeElement>();
  const schemasAfter = after.components.get('schemas') ?? new Map<string, ts.TypeElement>();
  const schemaDiff = compareMaps(texts(schemasBefore), texts(schemasAfter));
  const schemas = {
    added: schemaDiff.added,
    removed: schemaDiff.removed,
    changed: schemaDiff.changed.map((name) => ({
      name,
      fields: fieldChanges(schemasBefore.get(name)!, schemasAfter.get(name)!),
    })),
  };

  const otherComponents = {
    added: [] as string[],
    removed: [] as string[],
    changed: [] as string[],
  };
  const sections = new Set([...before.components.keys(), ...after.components.keys()]);
  for (const section of [...sections].filter((s) => s !== 'schemas')) {
    const diff = compareMaps(
      texts(before.components.get(section) ?? new Map()),
      texts(after.components.get(section) ?? new Map()),
    );
    for (const kind of ['added', 'removed', 'changed'] as const)
      otherComponents[kind].push(...diff[kind].map((name) => `${section}.${name}`));
  }
  return { operations, schemas, otherComponents };
}

/** The change as short lines for a drift message; empty when nothing structural differs. */
export function describeTypesChange(change: TypesChange): string[] {
  const lines: string[] = [];
  const list = (label: string, items: string[]) => {
    if (items.length > 0) lines.push(`${label}: ${items.join(', ')}`);
  };
  list('operations added', change.operations.added);
  list('operations removed', change.operations.removed);
  list('operations changed', change.operations.changed);
  list('schemas added', change.schemas.added);
  list('schemas removed', change.schemas.removed);
  list(
    'schemas changed',
    change.schemas.changed.map(({ name, fields }) =>
      fields.length === 0 ? `${name} (documentation only)` : `${name} (${fields.join('; ')})`,
    ),
  );
  list('components added', change.otherComponents.added);
  list('components removed', change.otherComponents.removed);
  list('components changed', change.otherComponents.changed);
  return lines;
}

function outline(text: string): Outline {
  const source = ts.createSourceFile('generated.ts', text, ts.ScriptTarget.Latest, true);
  const result: Outline = {
    routes: new Map(),
    operations: new Map(),
    routesOfOperation: new Map(),
    components: new Map(),
  };
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const name = statement.name.text;
    if (name === 'paths') {
      for (const item of statement.members) {
        const path = memberName(item);
        const type = ts.isPropertySignature(item) ? item.type : undefined;
        if (!path || !type || !ts.isTypeLiteralNode(type)) continue;
        for (const entry of type.members) {
          const method = memberName(entry);
          const entryType = ts.isPropertySignature(entry) ? entry.type : undefined;
          if (!method || !METHODS.includes(method) || !entryType) continue;
          if (entryType.kind === ts.SyntaxKind.NeverKeyword) continue;
          const route = `${method.toUpperCase()} ${path}`;
          // The path item's `parameters` belong to every operation on it.
          const shared = type.members.find((m) => memberName(m) === 'parameters');
          result.routes.set(route, `${entry.getFullText()}${shared?.getFullText() ?? ''}`);
          const id = referencedOperation(entryType);
          if (id)
            result.routesOfOperation.set(id, [...(result.routesOfOperation.get(id) ?? []), route]);
        }
      }
    } else if (name === 'operations') {
      for (const member of statement.members) {
        const id = memberName(member);
        if (id) result.operations.set(id, member.getFullText());
      }
    } else if (name === 'components') {
      for (const section of statement.members) {
        const sectionName = memberName(section);
        const type = ts.isPropertySignature(section) ? section.type : undefined;
        if (!sectionName || !type || !ts.isTypeLiteralNode(type)) continue;
        const members = new Map<string, ts.TypeElement>();
        for (const member of type.members) {
          const memberKey = memberName(member);
          if (memberKey) members.set(memberKey, member);
        }
        result.components.set(sectionName, members);
      }
    }
  }
  return result;
}

/** `operations["post-/x"]` → `post-/x`. */
function referencedOperation(type: ts.TypeNode): string | undefined {
  if (!ts.isIndexedAccessTypeNode(type)) return undefined;
  const index = type.indexType;
  return ts.isLiteralTypeNode(index) && ts.isStringLiteral(index.literal)
    ? index.literal.text
    : undefined;
}

function memberName(member: ts.TypeElement): string | undefined {
  const name = member.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))
    return name.text;
  return undefined;
}

function texts(members: Map<string, ts.TypeElement>): Map<string, string> {
  return new Map([...members].map(([name, member]) => [name, member.getFullText()]));
}

function compareMaps(
  before: Map<string, string>,
  after: Map<string, string>,
): { added: string[]; removed: string[]; changed: string[] } {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
  };
}

/** Field-level changes of a schema whose type is an object literal (else its type, if it changed). */
function fieldChanges(before: ts.TypeElement, after: ts.TypeElement): string[] {
  const typeOf = (m: ts.TypeElement) => (ts.isPropertySignature(m) ? m.type : undefined);
  const a = typeOf(before);
  const b = typeOf(after);
  if (!a || !b || !ts.isTypeLiteralNode(a) || !ts.isTypeLiteralNode(b)) {
    return a && b && short(a) !== short(b) ? [`${short(a)} → ${short(b)}`] : [];
  }
  const fieldsA = new Map(a.members.map((m) => [memberName(m) ?? m.getText(), m]));
  const fieldsB = new Map(b.members.map((m) => [memberName(m) ?? m.getText(), m]));
  const out: string[] = [];
  for (const [name, field] of fieldsB) {
    const old = fieldsA.get(name);
    if (!old) {
      out.push(`${name} added`);
      continue;
    }
    const [typeA, typeB] = [typeOf(old), typeOf(field)];
    const optional = (m: ts.TypeElement) =>
      ts.isPropertySignature(m) && m.questionToken ? '?' : '';
    if (typeA && typeB && short(typeA) !== short(typeB)) {
      out.push(`${name}: ${short(typeA)} → ${short(typeB)}`);
    } else if (optional(old) !== optional(field)) {
      out.push(`${name} ${optional(field) ? 'now optional' : 'now required'}`);
    } else if (old.getFullText() !== field.getFullText()) {
      out.push(`${name} (documentation)`);
    }
  }
  for (const name of fieldsA.keys()) if (!fieldsB.has(name)) out.push(`${name} removed`);
  return out;
}

/** A type's text on one line, cut to a readable length. */
function short(type: ts.TypeNode): string {
  const text = type.getText().replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
