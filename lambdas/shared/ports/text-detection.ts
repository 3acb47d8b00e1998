import type { Block } from '@aws-sdk/client-textract';
import type { BlobRef } from './document-blobs';

/**
 * Ports to Textract's text detection. Blocks keep Textract's own shape (`PAGE`/`LINE`/`WORD` with
 * geometry): it is the contract, and the local Textract speaks it too. Every adapter throws the typed
 * errors of ./errors (throttling as `TextractThrottledError`, bad input as rejections).
 */

/** What synchronous detection reads: an object Textract fetches itself, or bytes sent inline (≤ 10 MB). */
export type DetectionDocument = { readonly s3Object: BlobRef } | { readonly bytes: Uint8Array };

/** Blocks of a one-page synchronous detection. */
export interface DetectedText {
  readonly pages: number;
  readonly blocks: readonly Block[];
}

/** `DetectDocumentText`: one page, answered in the call. */
export interface TextDetector {
  detect(document: DetectionDocument): Promise<DetectedText>;
}

export interface TextDetectionJobRequest {
  readonly document: BlobRef;
  /** Comes back in the completion notification: how the callback finds the waiting task. */
  readonly jobTag: string;
  /** Makes the start idempotent: the same token within Textract's window returns the same job. */
  readonly clientRequestToken: string;
}

/** `StartDocumentTextDetection`: a job whose completion is published to the configured SNS topic. */
export interface TextDetectionJobStarter {
  start(request: TextDetectionJobRequest): Promise<{ readonly jobId: string }>;
}

export type TextDetectionJobStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'PARTIAL_SUCCESS';

/** Pages Textract could not read in a PARTIAL_SUCCESS job, by its warning code. */
export interface TextDetectionWarning {
  readonly errorCode: string;
  readonly pages: readonly number[];
}

/** One response of `GetDocumentTextDetection`. */
export interface TextDetectionResultsPage {
  readonly status: TextDetectionJobStatus;
  readonly statusMessage?: string;
  /** Pages of the document (`DocumentMetadata.Pages`). */
  readonly pages?: number;
  readonly blocks: readonly Block[];
  readonly warnings: readonly TextDetectionWarning[];
  /** Present while more blocks remain. */
  readonly nextToken?: string;
}

/** `GetDocumentTextDetection`, one page of results at a time. */
export interface TextDetectionResults {
  getPage(jobId: string, nextToken?: string): Promise<TextDetectionResultsPage>;
}
