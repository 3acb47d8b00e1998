import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { METADATA_TABLE } from '../../lambdas/shared/documents/metadata-item';

export interface MetadataTableProps {
  /**
   * Whether CloudFormation refuses to delete the table.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The metadata table: one item per document, on-demand, with point-in-time recovery and the two
 * listing indexes the API queries. Key and index names come from `METADATA_TABLE`, which the
 * handlers and tests use too.
 */
export class MetadataTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: MetadataTableProps = {}) {
    super(scope, id);
    const { partitionKey, byStatusIndex, byUploadTimeIndex } = METADATA_TABLE;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of [byStatusIndex, byUploadTimeIndex]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        // The API returns whole items from a listing, so the index holds them whole.
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** ARNs of the listing indexes, for grants that must not use `index/*`. */
  indexArns(): string[] {
    const { byStatusIndex, byUploadTimeIndex } = METADATA_TABLE;
    return [byStatusIndex, byUploadTimeIndex].map((index) => `${this.table.tableArn}/index/${index.name}`);
  }
}
