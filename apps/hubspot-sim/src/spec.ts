// The OpenAPI document is the contract the sim enforces: routes, scopes, request schemas, query
// parameters and batch limits are read from it at start, so the sim and the client share one
// source. Any spec in either of HubSpot's layouts will do: paths relative to the API root (root in
// `servers`) or written in full (`/marketing/v3/campaigns/batch/update`,
// `/marketing/campaigns/2026-09-beta/...`). It is read through `@campaigns/openapi`, which applies
// the project's overlay (429 answers, rate-limit headers, `maxItems`) as the codegen does.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  API_ROOT_PATH,
  isApiVersion,
  specPathRelativeToApiRoot,
  type ApiVersion,
} from '@campaigns/hubspot-client/version';
import {
  readSpecDocument,
  requireBatchInputLimits,
  specFileOf,
  specVersions,
} from '@campaigns/openapi';

/** The API version served when options name neither a spec nor a version. */
export const DEFAULT_API_VERSION = 'v3';

/**
 * The v3 spec of the `@campaigns/openapi` package (the workspace's `openapi/v3/`), found by
 * Node's module resolution: the simulator runs wherever its dependencies are installed, from src/
 * or dist/, in the repository or not.
 */
export const DEFAULT_SPEC_URL: URL = specFileOf(DEFAULT_API_VERSION);

/** The versions `apiVersion` can name: the version folders of `@campaigns/openapi`, sorted. */
export function servedApiVersions(): ApiVersion[] {
  return specVersions().filter(isApiVersion);
}

/**
 * A spec location as options give it: a URL, or a file path (relative to the working directory);
 * without one, the spec of `apiVersion`'s folder in `@campaigns/openapi` (default v3).
 */
export function specUrl(location: string | URL | undefined, apiVersion?: string): URL {
  if (location === undefined) {
    return apiVersion === undefined ? DEFAULT_SPEC_URL : specFileOf(apiVersion);
  }
  if (location instanceof URL) return location;
  return pathToFileURL(path.resolve(location));
}

/** Component schemas are registered with ajv under this base, `#/components/schemas/X` becomes `${base}X`. */
export const SCHEMA_ID_BASE = 'https://hubspot-sim.invalid/schemas/';

export type JsonSchema = { [keyword: string]: unknown };

export interface QueryParameterSpec {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface OperationSpec {
  /** Upper case, e.g. `POST`. */
  method: string;
  /** Relative to the API root, e.g. `/batch/update` or `/{campaignGuid}`, whatever the spec's layout. */
  path: string;
  operationId: string;
  /** Scopes a token needs, all of them (the spec's oauth2 requirement). */
  requiredScopes: string[];
  requestBody?: { required: boolean; schema: JsonSchema };
  queryParameters: QueryParameterSpec[];
  /** JSON Schema of each JSON response, by status code or `default`. */
  responses: Record<string, JsonSchema>;
  /** For a batch operation (a body with an `inputs` list): the most inputs, its `maxItems`. */
  maxInputs?: number;
}

export interface CampaignsSpec {
  operations: OperationSpec[];
  /** Component schemas as JSON Schema, by name. */
  schemas: Record<string, JsonSchema>;
  /**
   * The `format` the spec gives business-unit ids (`id` of the schema a `businessUnits` array
   * holds): `int64` in v3, `int32` in date versions such as 2026-03; undefined when none is given.
   */
  businessUnitIdFormat?: string;
  /**
   * The API roots the spec is served under (`/marketing/campaigns/2026-03`): the roots its full
   * paths start with, or for paths relative to the root, the roots its `servers` URLs end in.
   * Undefined when neither names one (relative paths and a bare host in `servers`): such a spec
   * is served under every version's root.
   */
  apiRoots?: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

type OpenApiNode = { [key: string]: unknown };

/**
 * Reads an OpenAPI 3 document (YAML or JSON), with the overlay applied, and turns what the sim
 * needs into JSON Schema.
 */
export function loadCampaignsSpec(url: URL = DEFAULT_SPEC_URL): CampaignsSpec {
  const read = readSpecDocument(url);
  // A batch operation without maxItems is refused here, as the codegen refuses it.
  const limits = requireBatchInputLimits(read, `OpenAPI ${url.href}`);
  const document = asNode(read, 'the OpenAPI document');
  const components = asNode(document.components ?? {}, 'components');
  const resolve = (node: unknown, what: string): OpenApiNode => {
    const object = asNode(node, what);
    if (typeof object.$ref !== 'string') return object;
    const match = /^#\/components\/(\w+)\/([^/]+)$/.exec(object.$ref);
    const target = match && asNode(components[match[1]!] ?? {}, match[1]!)[match[2]!];
    if (target === undefined) throw new Error(`${what}: cannot resolve ${object.$ref}`);
    return asNode(target, object.$ref);
  };

  const schemas = Object.fromEntries(
    Object.entries(asNode(components.schemas ?? {}, 'components.schemas')).map(([name, schema]) => [
      name,
      toJsonSchema(schema),
    ]),
  );

  const operations: OperationSpec[] = [];
  for (const [specPath, pathItemNode] of Object.entries(asNode(document.paths, 'paths'))) {
    const pathItem = asNode(pathItemNode, specPath);
    const relativePath = specPathRelativeToApiRoot(specPath);
    for (const method of HTTP_METHODS.filter((m) => pathItem[m] !== undefined)) {
      const what = `${method.toUpperCase()} ${specPath}`;
      if (operations.some((o) => o.method === method.toUpperCase() && o.path === relativePath)) {
        throw new Error(
          `OpenAPI: ${what} is declared twice (both are ${method.toUpperCase()} ${relativePath})`,
        );
      }
      const operation = asNode(pathItem[method], what);
      const parameters = [...asArray(pathItem.parameters), ...asArray(operation.parameters)].map(
        (p) => resolve(p, `${what} parameter`),
      );
      const body =
        operation.requestBody === undefined
          ? undefined
          : resolve(operation.requestBody, `${what} body`);
      const bodySchema = body && jsonContentSchema(body);
      const maxInputs = limits[`${method.toUpperCase()} ${specPath}`];
      operations.push({
        method: method.toUpperCase(),
        path: relativePath,
        operationId: String(operation.operationId ?? what),
        requiredScopes: oauthScopes(operation.security ?? document.security),
        ...(bodySchema
          ? { requestBody: { required: body?.required === true, schema: toJsonSchema(bodySchema) } }
          : {}),
        queryParameters: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: String(p.name),
            required: p.required === true,
            schema: toJsonSchema(p.schema ?? {}),
          })),
        responses: Object.fromEntries(
          Object.entries(asNode(operation.responses ?? {}, `${what} responses`)).flatMap(
            ([status, response]) => {
              const schema = jsonContentSchema(resolve(response, `${what} ${status}`));
              return schema ? [[status, toJsonSchema(schema)]] : [];
            },
          ),
        ),
        ...(maxInputs === undefined ? {} : { maxInputs }),
      });
    }
  }
  const businessUnitIdFormat = businessUnitIdFormatOf(schemas);
  const apiRoots = apiRootsOf(document);
  return {
    operations,
    schemas,
    ...(businessUnitIdFormat ? { businessUnitIdFormat } : {}),
    ...(apiRoots ? { apiRoots } : {}),
  };
}

/**
 * The API roots a spec names: at the start of its path keys (HubSpot's layout), else at the end of
 * its `servers` URLs (paths relative to the root). A `{version}` template names none.
 */
function apiRootsOf(document: OpenApiNode): string[] | undefined {
  const rootOf = (pathname: string) => API_ROOT_PATH.exec(pathname)?.[0];
  const fromPaths = Object.keys(asNode(document.paths, 'paths')).map(rootOf);
  const fromServers = asArray(document.servers).map((server) => {
    const url = (server as OpenApiNode | null)?.url;
    if (typeof url !== 'string') return undefined;
    try {
      const pathname = new URL(url, 'http://server.invalid').pathname.replace(/\/+$/, '');
      return rootOf(pathname) === pathname ? pathname : undefined;
    } catch {
      return undefined;
    }
  });
  for (const found of [fromPaths, fromServers]) {
    const roots = [...new Set(found.filter((root) => root !== undefined))].sort();
    if (roots.length > 0) return roots;
  }
  return undefined;
}

/** The first `format` of a business unit's `id`, found through any schema's `businessUnits`. */
function businessUnitIdFormatOf(schemas: Record<string, JsonSchema>): string | undefined {
  for (const schema of Object.values(schemas)) {
    const items = (schema.properties as OpenApiNode | undefined)?.businessUnits as
      OpenApiNode | undefined;
    const item = items?.items as OpenApiNode | undefined;
    const unit =
      typeof item?.$ref === 'string' && item.$ref.startsWith(SCHEMA_ID_BASE)
        ? schemas[item.$ref.slice(SCHEMA_ID_BASE.length)]
        : item;
    const format = ((unit?.properties as OpenApiNode | undefined)?.id as OpenApiNode | undefined)
      ?.format;
    if (typeof format === 'string') return format;
  }
  return undefined;
}

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `example` dropped, `nullable` folded into `type`,
 * component references pointed at the ids the schemas are registered under.
 */
function toJsonSchema(node: unknown): JsonSchema {
  return asNode(convert(node), 'schema');
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(/^#\/components\/schemas\//, SCHEMA_ID_BASE);
    } else out[key] = convert(value);
  }
  if ((node as OpenApiNode).nullable === true && typeof out.type === 'string')
    out.type = [out.type, 'null'];
  return out;
}

function jsonContentSchema(holder: OpenApiNode): unknown {
  const content = holder.content === undefined ? {} : asNode(holder.content, 'content');
  const media = content['application/json'] ?? content['*/*'];
  return media === undefined ? undefined : asNode(media, 'media type').schema;
}

function oauthScopes(security: unknown): string[] {
  for (const requirement of asArray(security)) {
    const scopes = asNode(requirement, 'security requirement').oauth2;
    if (Array.isArray(scopes)) return scopes.map(String);
  }
  return [];
}

function asNode(value: unknown, what: string): OpenApiNode {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`OpenAPI: ${what} must be an object`);
  }
  return value as OpenApiNode;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
