import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  type S3Object,
  StartDocumentTextDetectionCommand,
  type TextractClient,
} from '@aws-sdk/client-textract';
import { TextractJobFailedError } from '../documents/errors';
import { mapTextractError } from '../documents/textract-errors';
import type { BlobRef } from '../ports/document-blobs';
import type {
  DetectedText,
  DetectionDocument,
  TextDetectionJobRequest,
  TextDetectionJobStarter,
  TextDetectionResults,
  TextDetectionResultsPage,
  TextDetector,
} from '../ports/text-detection';

/** Where Textract publishes job completions, and the role it assumes to do so. */
export interface TextractNotificationChannel {
  readonly topicArn: string;
  readonly roleArn: string;
}

/** Blocks per `GetDocumentTextDetection` call: Textract's maximum, so the fewest calls. */
export const RESULTS_PAGE_SIZE = 1000;

const s3ObjectOf = (ref: BlobRef): S3Object => ({
  Bucket: ref.bucket,
  Name: ref.key,
  ...(ref.versionId === undefined ? {} : { Version: ref.versionId }),
});

/**
 * The Textract ports on `@aws-sdk/client-textract`, the same client against AWS and the local Textract.
 * The SDK retries throttling itself first; what still fails is mapped by {@link mapTextractError}.
 */
export class TextractTextDetection implements TextDetector, TextDetectionJobStarter, TextDetectionResults {
  constructor(
    private readonly textract: TextractClient,
    private readonly notification?: TextractNotificationChannel,
  ) {}

  async detect(document: DetectionDocument): Promise<DetectedText> {
    const input =
      's3Object' in document ? { S3Object: s3ObjectOf(document.s3Object) } : { Bytes: document.bytes };
    try {
      const output = await this.textract.send(new DetectDocumentTextCommand({ Document: input }));
      return { pages: output.DocumentMetadata?.Pages ?? 1, blocks: output.Blocks ?? [] };
    } catch (error) {
      throw mapTextractError(error);
    }
  }

  async start(request: TextDetectionJobRequest): Promise<{ jobId: string }> {
    if (!this.notification) throw new Error('no notification channel is configured for Textract jobs');
    try {
      const output = await this.textract.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: { S3Object: s3ObjectOf(request.document) },
          JobTag: request.jobTag,
          ClientRequestToken: request.clientRequestToken,
          NotificationChannel: {
            SNSTopicArn: this.notification.topicArn,
            RoleArn: this.notification.roleArn,
          },
        }),
      );
      if (!output.JobId) throw new Error('StartDocumentTextDetection returned no JobId');
      return { jobId: output.JobId };
    } catch (error) {
      throw mapTextractError(error);
    }
  }

  async getPage(jobId: string, nextToken?: string): Promise<TextDetectionResultsPage> {
    try {
      const output = await this.textract.send(
        new GetDocumentTextDetectionCommand({
          JobId: jobId,
          MaxResults: RESULTS_PAGE_SIZE,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      if (!output.JobStatus)
        throw new Error(`GetDocumentTextDetection returned no JobStatus for job ${jobId}`);
      return {
        status: output.JobStatus,
        ...(output.StatusMessage ? { statusMessage: output.StatusMessage } : {}),
        ...(output.DocumentMetadata?.Pages === undefined ? {} : { pages: output.DocumentMetadata.Pages }),
        blocks: output.Blocks ?? [],
        warnings: (output.Warnings ?? []).map((warning) => ({
          errorCode: warning.ErrorCode ?? 'UNKNOWN',
          pages: warning.Pages ?? [],
        })),
        ...(output.NextToken ? { nextToken: output.NextToken } : {}),
      };
    } catch (error) {
      // Results are kept for 7 days; a job id Textract no longer knows cannot be read again.
      if (error instanceof Error && error.name === 'InvalidJobIdException') {
        throw new TextractJobFailedError(`the results of Textract job ${jobId} are gone: ${error.message}`, {
          cause: error,
        });
      }
      throw mapTextractError(error);
    }
  }
}
