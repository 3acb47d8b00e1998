import { beforeAll, describe, expect, it } from 'vitest';
import { METADATA_TABLE } from '../../../lambdas/shared/documents/metadata-item';
import type { TemplateResource } from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('MetadataTable', () => {
  const docflow = synthesizeBeforeAll();
  let table: TemplateResource;

  beforeAll(() => {
    table = docflow.resourceOf('AWS::DynamoDB::Table', docflow.stack.metadataTable.table);
  });

  it('is on-demand, with point-in-time recovery and deletion protection, and retained', () => {
    // Assess
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('is keyed by the partition key the handlers use', () => {
    // Assess
    expect(table.Properties?.KeySchema).toEqual([
      { AttributeName: METADATA_TABLE.partitionKey, KeyType: 'HASH' },
    ]);
  });

  it('has the two listing indexes the API queries, named and keyed as METADATA_TABLE says, projecting all', () => {
    // Prepare
    const { byStatusIndex, byUploadTimeIndex } = METADATA_TABLE;

    // Assess
    expect(table.Properties?.GlobalSecondaryIndexes).toEqual(
      [byStatusIndex, byUploadTimeIndex].map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('declares every key attribute as a string', () => {
    // Prepare
    const { partitionKey, byStatusIndex, byUploadTimeIndex } = METADATA_TABLE;
    const names = new Set([
      partitionKey,
      byStatusIndex.partitionKey,
      byStatusIndex.sortKey,
      byUploadTimeIndex.partitionKey,
    ]);

    // Assess
    expect(table.Properties?.AttributeDefinitions).toEqual(
      expect.arrayContaining([...names].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
    expect(table.Properties?.AttributeDefinitions).toHaveLength(names.size);
  });

  it('names its index ARNs for grants without index/*', () => {
    // Act
    const arns = docflow.stack.resolve(docflow.stack.metadataTable.indexArns());

    // Assess
    expect(JSON.stringify(arns)).toContain('/index/byStatus');
    expect(JSON.stringify(arns)).toContain('/index/byUploadTime');
    expect(JSON.stringify(arns)).not.toContain('*');
  });
});
