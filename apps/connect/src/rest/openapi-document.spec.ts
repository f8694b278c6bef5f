import { buildOpenApiDocument } from './openapi-document';

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

  test('is OpenAPI 3 with every endpoint and its status codes', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths['/connectors/{connector}/offsets']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/connectors']['post'].responses).sort()).toEqual(['201', '400', '409']);
    expect(Object.keys(doc.paths['/connectors/{connector}/restart']['post'].responses).sort()).toEqual(['202', '204', '404']);
    expect(Object.keys(doc.paths['/connectors/{connector}/config']['put'].responses)).toEqual(expect.arrayContaining(['200', '201']));
  });

  test('every $ref resolves to a component schema', () => {
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas[r.split('/').pop() as string]).toBeDefined();
  });
});
