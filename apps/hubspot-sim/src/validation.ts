// Request bodies and query strings are checked against our OpenAPI schemas with ajv before any
// business rule, so the sim refuses what the spec refuses, in HubSpot's `ErrorDetail` terms.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import type { ErrorDetail } from '@campaigns/hubspot-client';
import { SCHEMA_ID_BASE, type CampaignsSpec, type JsonSchema, type OperationSpec } from './spec.js';

export interface QueryValidation {
  /** Parameter values converted to the spec's types (`limit` a number, `properties` a string[]). */
  values: Record<string, unknown>;
  errors: ErrorDetail[];
}

export interface SpecValidator {
  /** Problems of a request body against the operation's schema; empty when it conforms. */
  requestBody(operation: OperationSpec, body: unknown): ErrorDetail[];
  /**
   * Reads the operation's query parameters. Array parameters accept both repeated
   * (`properties=a&properties=b`) and comma-separated (`properties=a,b`) forms.
   */
  query(operation: OperationSpec, params: URLSearchParams): QueryValidation;
  /** Problems of a response body against the spec (status schema, else `default`). */
  responseBody(operation: OperationSpec, status: number, body: unknown): ErrorDetail[];
}

/** Compiles every schema the spec's operations use, so a broken spec fails at start, not mid-test. */
export function createSpecValidator(spec: CampaignsSpec): SpecValidator {
  const bodies = newAjv(spec, false);
  const queries = newAjv(spec, true);
  const compiled = new Map<string, ValidateFunction>();
  const key = (operation: OperationSpec, part: string) =>
    `${operation.method} ${operation.path} ${part}`;

  for (const operation of spec.operations) {
    if (operation.requestBody)
      compiled.set(key(operation, 'body'), bodies.compile(operation.requestBody.schema));
    for (const [status, schema] of Object.entries(operation.responses)) {
      compiled.set(key(operation, status), bodies.compile(schema));
    }
    compiled.set(key(operation, 'query'), queries.compile(querySchema(operation)));
  }
  const run = (validate: ValidateFunction | undefined, value: unknown): ErrorDetail[] =>
    !validate || validate(value) ? [] : (validate.errors ?? []).map(toErrorDetail);

  return {
    requestBody: (operation, body) => {
      if (!operation.requestBody) return [];
      if (body === undefined) {
        return operation.requestBody.required
          ? [{ message: 'A request body is required', code: 'REQUIRED', in: 'body' }]
          : [];
      }
      return run(compiled.get(key(operation, 'body')), body);
    },
    query: (operation, params) => {
      const values: Record<string, unknown> = {};
      for (const { name, schema } of operation.queryParameters) {
        const raw = params.getAll(name);
        if (raw.length === 0) continue;
        values[name] =
          schema.type === 'array'
            ? raw.flatMap((v) => v.split(',')).filter((v) => v !== '')
            : raw[0];
      }
      return { values, errors: run(compiled.get(key(operation, 'query')), values) };
    },
    responseBody: (operation, status, body) =>
      run(
        compiled.get(key(operation, String(status))) ?? compiled.get(key(operation, 'default')),
        body,
      ),
  };
}

function newAjv(spec: CampaignsSpec, coerceQueryStrings: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: coerceQueryStrings });
  formats.default(ajv);
  for (const [name, schema] of Object.entries(spec.schemas))
    ajv.addSchema({ ...schema, $id: `${SCHEMA_ID_BASE}${name}` });
  return ajv;
}

function querySchema(operation: OperationSpec): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(operation.queryParameters.map((p) => [p.name, p.schema])),
    required: operation.queryParameters.filter((p) => p.required).map((p) => p.name),
  };
}

/** An ajv error as HubSpot reports a field problem: `in` is the field's path, e.g. `inputs[3].id`. */
function toErrorDetail(error: ErrorObject): ErrorDetail {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required')
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
  const path = segments.reduce(
    (out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s),
    '',
  );
  const field = path || 'body';
  return {
    message:
      error.keyword === 'required'
        ? `${field} is required`
        : `${field} ${error.message ?? 'is invalid'}`,
    code: error.keyword.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
    in: field,
  };
}
