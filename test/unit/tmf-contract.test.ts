import { describe, expect, it } from 'vitest';
import { BASE_PATHS, contractProblems, openApiDocument, tmfDocument } from '../../src/tmf/openapi.ts';

// The static TMF contract check: Provisio's documents against the TM Forum's.

describe('the TMF contract check', () => {
  it.each(Object.keys(BASE_PATHS) as Array<keyof typeof BASE_PATHS>)('holds for %s as Provisio serves it', (api) => {
    expect(contractProblems(api, tmfDocument(api), openApiDocument(api))).toEqual([]);
  });

  it('reports a changed type, a required field dropped and an operation left undocumented', () => {
    const ours = openApiDocument('serviceOrdering');
    ours.definitions['ServiceOrderItem'] = { ...ours.definitions['ServiceOrderItem'], required: ['id', 'service'], properties: { ...ours.definitions['ServiceOrderItem']!.properties, quantity: { type: 'string' } } };
    delete ours.paths['/hub']!['post'];
    expect(contractProblems('serviceOrdering', tmfDocument('serviceOrdering'), ours)).toEqual([
      'serviceOrdering: POST /hub is served but not documented',
      'serviceOrdering: ServiceOrderItem no longer requires action',
      'serviceOrdering: ServiceOrderItem.quantity: integer became string',
    ]);
  });

  it('keeps only the implemented operations, and Provisio\'s extensions beside the TMF definitions', () => {
    const document = openApiDocument('serviceCatalog');
    expect(Object.keys(document.paths)).toEqual(['/serviceSpecification', '/serviceSpecification/{id}', '/hub', '/hub/{id}']);
    expect(document.basePath).toBe('/tmf-api/serviceCatalogManagement/v4');
    expect(document.definitions['ProvisioServiceSpecification']?.allOf).toContainEqual({ $ref: '#/definitions/ServiceSpecification' });
  });
});
