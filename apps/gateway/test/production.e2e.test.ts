// NODE_ENV=production: no introspection, no landing page, internal errors masked.
import { describe, expect, it } from 'vitest';
import { graphqlErrors, READ, startStack } from './stack.js';

/** A JWKS URL nobody listens on: verifying any token fails on our side, an internal error. */
const DEAD_JWKS = 'http://127.0.0.1:9/jwks.json';
const JWT_ENV = {
  AUTH_MODE: 'jwt',
  JWT_JWKS_URL: DEAD_JWKS,
  JWT_ISSUER: 'https://issuer.test/',
  JWT_AUDIENCE: 'gateway',
};
const SOME_JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('production', () => {
  it('turns introspection and the landing page off', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production' } });
    try {
      const { errors } = await graphqlErrors(
        stack.client().request('{ __schema { types { name } } }'),
      );
      expect(errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors[0]!.message).toMatch(/introspection/i);

      const page = await stack.http('/graphql', { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
      expect(await page.text()).not.toMatch(/<html/i);
    } finally {
      await stack.close();
    }
  });

  it('keeps introspection and the landing page outside production', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'development' } });
    try {
      const data = await stack
        .client()
        .request<{ __schema: { mutationType: { name: string } } }>(
          '{ __schema { mutationType { name } } }',
        );
      expect(data.__schema.mutationType.name).toBe('Mutation');
      const page = await stack.http('/graphql', { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).toContain('text/html');
    } finally {
      await stack.close();
    }
  });

  it('masks internal errors: no message details, no stack trace', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production', ...JWT_ENV } });
    try {
      const { status, errors } = await graphqlErrors(
        stack.client({ authorization: `Bearer ${SOME_JWT}` }).request(READ, { ids: [] }),
      );
      expect(status).toBe(500);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toBe('Internal server error');
      expect(errors[0]!.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(errors[0]!.extensions?.requestId).toEqual(expect.any(String));
      expect(JSON.stringify(errors)).not.toMatch(/stack|jwks|127\.0\.0\.1|fetch/i);
      // The details are in the logs, with the request id.
      expect(
        stack.logs.some(
          (l) =>
            l.includes('internal error') && l.includes(String(errors[0]!.extensions?.requestId)),
        ),
      ).toBe(true);
    } finally {
      await stack.close();
    }
  });

  it('shows internal error messages outside production, still without a stack trace', async () => {
    const stack = await startStack({ env: JWT_ENV });
    try {
      const { errors } = await graphqlErrors(
        stack.client({ authorization: `Bearer ${SOME_JWT}` }).request(READ, { ids: [] }),
      );
      expect(errors[0]!.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(errors[0]!.message).toContain('cannot verify tokens right now');
      expect(errors[0]!.extensions?.stacktrace).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});
