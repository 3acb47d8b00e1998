import type { TextStrategy } from '../../lambdas/shared/documents/document';
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

/** The Task or Pass state each text strategy takes in statemachines/document-pipeline.asl.yaml. */
export const TEXT_STATE: Readonly<Record<TextStrategy, string>> = {
  none: 'NoText',
  local: 'ExtractTextLocally',
  'textract-sync': 'DetectTextWithTextract',
  'textract-async': 'AnalyzeWithTextractJob',
};

/** The states a processed document's run enters; the branches interleave, so compare them as a set. */
export const processedRunStates = (textStrategy: TextStrategy): string[] => [
  'RouteEvent',
  'MarkProcessing',
  'Inspect',
  'MakeDerivatives',
  'Thumbnail',
  'ChooseTextStrategy',
  TEXT_STATE[textStrategy],
  'IndexMetadata',
  'Processed',
];

/** The states a run enters, in order, when Inspect rejects the document before any derivative is made. */
export const REJECTED_RUN_STATES: readonly string[] = [
  'RouteEvent',
  'MarkProcessing',
  'Inspect',
  'RecordRejected',
  'Rejected',
];
