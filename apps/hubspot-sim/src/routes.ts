// Which operation a request is for. Only the API root(s) of the spec served lead to its routes
// (a 2026-03 spec is not served under the v3 root: a client speaking the wrong version gets 404s),
// and stats and validation key on the route template, never on the prefix.
import { API_ROOT_PATH } from '@campaigns/hubspot-client';
import type { OperationSpec } from './spec.js';

/** `/marketing/v3/campaigns` or `/marketing/campaigns/YYYY-MM`, then the route: the client's definition. */
const API_PREFIX = API_ROOT_PATH;

/** What every match says of the path: the API root it starts with, if it starts with any. */
interface OnRoot {
  /** The API root the request came in on (`/marketing/v3/campaigns`), served or not. */
  apiRoot?: string;
}

export type RouteMatch = OnRoot &
  (
    | {
        kind: 'operation';
        operation: OperationSpec;
        params: Record<string, string>;
        routeKey: string;
      }
    | { kind: 'method-not-allowed'; allowed: string[]; routeKey: string }
    | { kind: 'not-found'; routeKey: string }
  );

/** Stats key for anything that matches no route. */
export const UNKNOWN_ROUTE = '(unknown route)';

/** `'POST /batch/update'`: how stats name an operation. */
export function routeKeyOf(method: string, template: string): string {
  return `${method} ${template}`;
}

/**
 * The operation `method pathname` is for. `apiRoots`: the roots served (the spec's own, see
 * `CampaignsSpec.apiRoots`); any other root is not found. Undefined: every version's root.
 */
export function matchRoute(
  method: string,
  pathname: string,
  operations: readonly OperationSpec[],
  apiRoots?: readonly string[],
): RouteMatch {
  const prefix = API_PREFIX.exec(pathname);
  if (!prefix) return { kind: 'not-found', routeKey: routeKeyOf(method, UNKNOWN_ROUTE) };
  const apiRoot = prefix[0];
  if (apiRoots !== undefined && !apiRoots.includes(apiRoot))
    return { kind: 'not-found', routeKey: routeKeyOf(method, UNKNOWN_ROUTE), apiRoot };
  return { ...matchOnRoot(method, pathname.slice(apiRoot.length), operations), apiRoot };
}

function matchOnRoot(
  method: string,
  rest: string,
  operations: readonly OperationSpec[],
): RouteMatch {
  const segments = splitPath(rest);
  const candidates = operations
    .map((operation) => ({ operation, params: matchTemplate(splitPath(operation.path), segments) }))
    .filter(
      (c): c is { operation: OperationSpec; params: Record<string, string> } =>
        c.params !== undefined,
    )
    // A literal segment beats a `{parameter}`: `/batch/read` is never a campaign id.
    .sort((a, b) => parameterCount(a.operation.path) - parameterCount(b.operation.path));
  if (candidates.length === 0)
    return { kind: 'not-found', routeKey: routeKeyOf(method, UNKNOWN_ROUTE) };
  const template = candidates[0]!.operation.path;
  const sameTemplate = candidates.filter((c) => c.operation.path === template);
  const chosen = sameTemplate.find((c) => c.operation.method === method);
  if (!chosen) {
    return {
      kind: 'method-not-allowed',
      allowed: sameTemplate.map((c) => c.operation.method),
      routeKey: routeKeyOf(method, template),
    };
  }
  return {
    kind: 'operation',
    operation: chosen.operation,
    params: chosen.params,
    routeKey: routeKeyOf(method, template),
  };
}

/** `/` and `` are both the root; a trailing slash is ignored. */
function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchTemplate(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const parameter = /^\{(\w+)\}$/.exec(part);
    const segment = segments[i]!;
    if (parameter) params[parameter[1]!] = decodeSegment(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

/** A malformed escape is kept as sent: it can only name a campaign that does not exist. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parameterCount(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}
