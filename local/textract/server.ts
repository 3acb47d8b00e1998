import type { IncomingMessage, ServerResponse } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { type AwsJsonError, awsJsonHandler } from '../http/aws-json-protocol';
import { serveHttp } from '../http/listen';
import type { RequestHandler } from '../http/proxy';
import { s3DocumentStore, snsCompletionNotifier } from './aws-adapters';
import { DocumentPages, type PageLimits } from './document-pages';
import { TextractError } from './errors';
import type { JobRegistryOptions } from './jobs';
import { TesseractPool, type TesseractPoolOptions } from './ocr-engine';
import { isOperationName, type TextractLimits, TextractService } from './operations';
import { PdfRenderPool, type PdfRenderPoolOptions } from './pdf-render-pool';

/** `X-Amz-Target` prefix of Textract calls: how a shared endpoint tells them from other services'. */
export const TEXTRACT_TARGET_PREFIX = 'Textract.';

/** A request body larger than this is not buffered (Textract's sync limit is 10 MB, ~13.4 MB in base64). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface LocalTextractOptions {
  /** Client for the local S3 that documents are read from (with `forcePathStyle: true`). */
  readonly s3: S3Client;
  /** Client for the local SNS that job completions are published to. */
  readonly sns: SNSClient;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** OCR worker pool (tesseract.js); `size` 1–2 suits a laptop. */
  readonly ocr?: TesseractPoolOptions;
  /** PDF render threads (pdf.js), with their time budgets. */
  readonly pdf?: PdfRenderPoolOptions;
  readonly pageLimits?: PageLimits;
  readonly limits?: Partial<TextractLimits>;
  /** The concurrent-job quota (`LimitExceededException` beyond it) and the queue. */
  readonly jobs?: JobRegistryOptions;
  readonly logger?: Pick<Console, 'warn'>;
}

/** The local Textract without a listening socket: mount `handler` on any node:http server. */
export interface LocalTextract {
  readonly service: TextractService;
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Starts an OCR worker and a PDF render thread now rather than on the first document. */
  warmUp(): Promise<void>;
  /** Stops the job queue, then the OCR workers and PDF render threads. */
  stop(): Promise<void>;
}

export interface RunningLocalTextract extends LocalTextract {
  /** `http://127.0.0.1:<port>`: give it to `TextractClient` as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
}

const reply = (error: TextractError): AwsJsonError => ({
  name: error.name,
  message: error.message,
  status: error.statusCode,
});

/**
 * A node:http request handler speaking Textract's AWS JSON 1.1 protocol (`POST /`,
 * `X-Amz-Target: Textract.<Operation>`, errors as `{"__type": …}` with HTTP 400, or 500 for
 * `InternalServerError`). Signatures are not checked.
 */
export const createTextractRequestHandler = (service: TextractService): RequestHandler =>
  awsJsonHandler({
    targetPrefix: TEXTRACT_TARGET_PREFIX,
    contentType: 'application/x-amz-json-1.1',
    maxBodyBytes: MAX_BODY_BYTES,
    isOperation: isOperationName,
    call: (operation, input) => service.call(operation, input),
    errorOf: (error) =>
      reply(
        error instanceof TextractError
          ? error
          : new TextractError('InternalServerError', 'Internal server error'),
      ),
    tooLarge: (maxBodyBytes) =>
      reply(
        new TextractError('DocumentTooLargeException', `The request is larger than ${maxBodyBytes} bytes`),
      ),
    unknownOperation: (target) =>
      reply(new TextractError('UnknownOperationException', `Unknown operation ${String(target)}`)),
    // The SDK reads the error name from `__type`; Textract's exceptions carry `Message`, other AWS JSON
    // services `message`: both are sent so any client finds it.
    errorBody: (error) => ({ __type: error.name, message: error.message, Message: error.message }),
  });

/** Builds the local Textract (service, OCR pool, PDF render threads) without listening anywhere. */
export const createLocalTextract = (options: LocalTextractOptions): LocalTextract => {
  const ocr = new TesseractPool(options.ocr);
  const pdf = new PdfRenderPool(options.pdf);
  const service = new TextractService({
    documents: s3DocumentStore(options.s3),
    notifier: snsCompletionNotifier(options.sns),
    recognizer: ocr,
    pages: new DocumentPages(pdf, options.pageLimits),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    service,
    handler: createTextractRequestHandler(service),
    warmUp: async () => {
      await Promise.all([ocr.warmUp(), pdf.warmUp()]);
    },
    stop: async () => {
      await service.stop();
      await Promise.all([ocr.stop(), pdf.stop()]);
    },
  };
};

/** Starts the local Textract on 127.0.0.1; point `TextractClient` at `endpoint`. */
export const startLocalTextract = async (options: LocalTextractOptions): Promise<RunningLocalTextract> => {
  const textract = createLocalTextract(options);
  const served = await serveHttp(textract.handler, {
    port: options.port ?? 0,
    host: '127.0.0.1',
    service: 'the local Textract',
  });
  return {
    ...textract,
    endpoint: served.endpoint,
    port: served.port,
    stop: async () => {
      await served.stop();
      await textract.stop();
    },
  };
};
