import { readDefinition } from '../../statemachines/definition';
import { substitute } from '../../statemachines/substitutions';

/** The functions a test puts behind the pipeline's four Lambda tasks. */
export interface PipelineFunctionArns {
  readonly inspect: string;
  readonly thumbnail: string;
  readonly extractText: string;
  readonly indexMetadata: string;
}

/**
 * The document pipeline's own ASL, with a test's functions, metadata table and failed-documents queue
 * where the stack puts its own: tests run the real definition, not a copy of it.
 */
export const pipelineDefinitionWith = (
  functions: PipelineFunctionArns,
  metadataTable: string,
  failedDocumentsQueueUrl: string,
): string =>
  substitute(readDefinition(), {
    InspectFunctionArn: functions.inspect,
    ThumbnailFunctionArn: functions.thumbnail,
    ExtractTextFunctionArn: functions.extractText,
    IndexMetadataFunctionArn: functions.indexMetadata,
    MetadataTableName: metadataTable,
    FailedDocumentsQueueUrl: failedDocumentsQueueUrl,
  });
