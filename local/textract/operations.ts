import { createHash } from 'node:crypto';
import type {
  Block,
  DetectDocumentTextResponse,
  GetDocumentTextDetectionResponse,
  StartDocumentTextDetectionResponse,
  Warning,
} from '@aws-sdk/client-textract';
import { z } from 'zod';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
  UnsupportedDocumentError,
} from '../../lambdas/shared/documents/errors';
import type { CompletionNotifier, DocumentStore } from './aws-adapters';
import { pageBlocks } from './blocks';
import { type DocumentFormat, type DocumentOpener, type PagedDocument, sniffFormat } from './document-pages';
import { type InjectableErrorName, TextractError, textractErrors } from './errors';
import { type Job, JobRegistry, type JobRegistryOptions, type JobResult, type S3Location } from './jobs';
import { OcrError, type PageImage, type TextRecognizer } from './ocr-engine';

/** The operations this service speaks, by their `X-Amz-Target` suffix. */
export const OPERATIONS = [
  'DetectDocumentText',
  'StartDocumentTextDetection',
  'GetDocumentTextDetection',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

export const isOperationName = (name: string): name is OperationName =>
  (OPERATIONS as readonly string[]).includes(name);

/** Textract's fixed limits (its "set quotas"), overridable for tests. */
export interface TextractLimits {
  /** Synchronous calls, and images in asynchronous jobs. @default 10 MiB */
  readonly maxSyncBytes: number;
  /** PDF and TIFF in asynchronous jobs. @default 500 MiB */
  readonly maxAsyncBytes: number;
  /** Pages of an asynchronous job. @default 3_000 */
  readonly maxAsyncPages: number;
}

export const TEXTRACT_LIMITS: TextractLimits = {
  maxSyncBytes: 10 * 1024 * 1024,
  maxAsyncBytes: 500 * 1024 * 1024,
  maxAsyncPages: 3_000,
};

export interface TextractServiceDeps {
  /** Where `S3Object`s are read from. */
  readonly documents: DocumentStore;
  /** Where job completions are published, to the job's `NotificationChannel.SNSTopicArn`. */
  readonly notifier: CompletionNotifier;
  readonly recognizer: TextRecognizer;
  readonly pages: DocumentOpener;
  readonly limits?: Partial<TextractLimits>;
  readonly jobs?: JobRegistryOptions;
  readonly logger?: Pick<Console, 'warn'>;
}

/** A fault to inject into the next calls of an operation (tests of throttling and retries). */
export interface FaultInjection {
  readonly operation: OperationName;
  readonly error: InjectableErrorName;
  /** How many calls fail. Note the SDK retries throttling errors itself (3 attempts by default). */
  readonly times?: number;
}

const MODEL_VERSION = '1.0';
const MAX_RESULTS = 1_000;

const s3ObjectSchema = z.object({
  Bucket: z.string().min(3).max(255),
  Name: z.string().min(1).max(1024),
  Version: z.string().min(1).max(1024).optional(),
});

const detectInput = z.object({
  Document: z
    .object({ Bytes: z.string().optional(), S3Object: s3ObjectSchema.optional() })
    .refine((document) => (document.Bytes === undefined) !== (document.S3Object === undefined), {
      message: 'exactly one of Bytes and S3Object is required',
    }),
});

const startInput = z.object({
  DocumentLocation: z.object({ S3Object: s3ObjectSchema }),
  ClientRequestToken: z
    .string()
    .regex(/^[a-zA-Z0-9-_]{1,64}$/)
    .optional(),
  JobTag: z
    .string()
    .regex(/^[a-zA-Z0-9_.\-:]{1,64}$/)
    .optional(),
  NotificationChannel: z
    .object({ SNSTopicArn: z.string().min(20).max(1024), RoleArn: z.string().min(20).max(2048) })
    .optional(),
});

const getInput = z.object({
  JobId: z.string().regex(/^[a-zA-Z0-9-_]{1,64}$/),
  MaxResults: z.number().int().min(1).optional(),
  NextToken: z.string().min(1).max(255).optional(),
});

const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw textractErrors.invalidParameter(
    `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`,
  );
};

/** A typed document error (thrown while opening or reading pages) as the Textract error it is. */
export const toTextractError = (error: unknown): TextractError => {
  if (error instanceof TextractError) return error;
  if (error instanceof UnsupportedDocumentError) return textractErrors.unsupportedDocument(detailOf(error));
  if (error instanceof DocumentTooLargeError) return textractErrors.tooLarge(detailOf(error));
  if (error instanceof EncryptedDocumentError || error instanceof CorruptDocumentError) {
    return textractErrors.badDocument(detailOf(error), error);
  }
  if (error instanceof OcrError && !error.engineFault)
    return textractErrors.badDocument(error.message, error);
  return new TextractError('InternalServerError', 'Internal server error', { cause: error });
};

const detailOf = (error: Error): string => error.message.replace(/^[A-Z_]+: /, '');

const encodeNextToken = (jobId: string, offset: number): string =>
  Buffer.from(JSON.stringify([jobId.slice(0, 16), offset])).toString('base64url');

const decodeNextToken = (jobId: string, token: string): number => {
  try {
    const [prefix, offset] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (prefix === jobId.slice(0, 16) && Number.isInteger(offset) && (offset as number) > 0) {
      return offset as number;
    }
  } catch {}
  throw textractErrors.invalidParameter('NextToken: not a token of this job');
};

/** Warnings of a partly read document: one per error code, listing its pages. */
const warningsOf = (failures: ReadonlyMap<number, Error>): Warning[] => {
  const byCode = new Map<string, number[]>();
  for (const [page, error] of failures) {
    const code = error instanceof DocumentTooLargeError ? 'PAGE_TOO_LARGE' : 'UNREADABLE_PAGE';
    byCode.set(code, [...(byCode.get(code) ?? []), page]);
  }
  return [...byCode].map(([ErrorCode, Pages]) => ({ ErrorCode, Pages }));
};

/**
 * The local Textract's text-detection operations: documents from S3 or inline bytes, Textract's limits
 * and error names, OCR by the injected recognizer, asynchronous jobs in an in-process queue with SNS
 * completion notifications.
 */
export class TextractService {
  readonly #documents: DocumentStore;
  readonly #notifier: CompletionNotifier;
  readonly #recognizer: TextRecognizer;
  readonly #pages: DocumentOpener;
  readonly #limits: TextractLimits;
  readonly #jobs: JobRegistry;
  readonly #logger: Pick<Console, 'warn'>;
  readonly #faults: Array<{ operation: OperationName; error: InjectableErrorName; remaining: number }> = [];

  constructor(deps: TextractServiceDeps) {
    this.#documents = deps.documents;
    this.#notifier = deps.notifier;
    this.#recognizer = deps.recognizer;
    this.#pages = deps.pages;
    this.#limits = { ...TEXTRACT_LIMITS, ...deps.limits };
    this.#logger = deps.logger ?? console;
    this.#jobs = new JobRegistry(
      (job, signal) => this.#runJob(job, signal),
      (job) => this.#notify(job),
      deps.jobs,
    );
  }

  /** Calls an operation by name with its JSON input; throws `TextractError`s only. */
  async call(operation: OperationName, input: unknown): Promise<unknown> {
    try {
      this.#takeFault(operation);
      switch (operation) {
        case 'DetectDocumentText':
          return await this.detectDocumentText(input);
        case 'StartDocumentTextDetection':
          return await this.startDocumentTextDetection(input);
        case 'GetDocumentTextDetection':
          return this.getDocumentTextDetection(input);
      }
    } catch (error) {
      const mapped = toTextractError(error);
      if (mapped.name === 'InternalServerError' && mapped !== error) {
        this.#logger.warn(`local Textract: ${operation} failed`, error);
      }
      throw mapped;
    }
  }

  /** Makes the next `times` calls of `operation` fail with `error`. */
  injectFault(fault: FaultInjection): void {
    this.#faults.push({ operation: fault.operation, error: fault.error, remaining: fault.times ?? 1 });
  }

  async detectDocumentText(input: unknown): Promise<DetectDocumentTextResponse> {
    const { Document } = parse(detectInput, input);
    const bytes = Document.S3Object
      ? await this.#readSyncObject(Document.S3Object)
      : Buffer.from(Document.Bytes ?? '', 'base64');
    if (bytes.byteLength === 0) throw textractErrors.invalidParameter('Document: the document is empty');
    if (bytes.byteLength > this.#limits.maxSyncBytes) {
      throw textractErrors.tooLarge(
        `The document is ${bytes.byteLength} bytes; synchronous operations accept up to ${this.#limits.maxSyncBytes}`,
      );
    }
    const format = this.#formatOf(bytes);
    const document = await this.#pages.open(bytes, format);
    try {
      if (document.pageCount < 1) throw textractErrors.badDocument('the document has no pages');
      if (document.pageCount !== 1) {
        throw textractErrors.unsupportedDocument(
          `the ${format} has ${document.pageCount} pages; synchronous operations read one-page documents only`,
        );
      }
      const blocks = pageBlocks(await this.#recognizer.recognize(await document.page(1)), 1);
      return {
        DocumentMetadata: { Pages: 1 },
        Blocks: blocks,
        DetectDocumentTextModelVersion: MODEL_VERSION,
      };
    } finally {
      await document.close();
    }
  }

  async startDocumentTextDetection(input: unknown): Promise<StartDocumentTextDetectionResponse> {
    const request = parse(startInput, input);
    const { S3Object } = request.DocumentLocation;
    const location: S3Location = {
      bucket: S3Object.Bucket,
      name: S3Object.Name,
      ...(S3Object.Version ? { version: S3Object.Version } : {}),
    };
    const token = request.ClientRequestToken
      ? {
          value: request.ClientRequestToken,
          fingerprint: createHash('sha256')
            .update(JSON.stringify([location, request.JobTag, request.NotificationChannel]))
            .digest('hex'),
        }
      : undefined;
    const earlier = token && this.#jobs.byToken(token.value, token.fingerprint);
    if (earlier) return { JobId: earlier.jobId };

    // Textract checks the object and its kind when the job is started; reading it is the job's work.
    const size = await this.#documents.size(location);
    const head = await this.#documents.read(location, 1024);
    const format = this.#formatOf(head);
    const maxBytes =
      format === 'PDF' || format === 'TIFF' ? this.#limits.maxAsyncBytes : this.#limits.maxSyncBytes;
    if (size > maxBytes) {
      throw textractErrors.tooLarge(
        `The ${format} is ${size} bytes; the limit for this format is ${maxBytes}`,
      );
    }
    const job = this.#jobs.start(
      {
        location,
        ...(request.JobTag ? { jobTag: request.JobTag } : {}),
        ...(request.NotificationChannel
          ? { notificationTopicArn: request.NotificationChannel.SNSTopicArn }
          : {}),
      },
      token,
    );
    return { JobId: job.jobId };
  }

  getDocumentTextDetection(input: unknown): GetDocumentTextDetectionResponse {
    const request = parse(getInput, input);
    const job = this.#jobs.get(request.JobId);
    if (!job) throw textractErrors.invalidJobId();
    const { result } = job;
    if (!result) return { JobStatus: 'IN_PROGRESS', DetectDocumentTextModelVersion: MODEL_VERSION };
    const offset = request.NextToken ? decodeNextToken(job.jobId, request.NextToken) : 0;
    const end = offset + Math.min(request.MaxResults ?? MAX_RESULTS, MAX_RESULTS);
    return {
      JobStatus: result.status,
      ...(result.statusMessage ? { StatusMessage: result.statusMessage } : {}),
      DocumentMetadata: { Pages: result.pages },
      Blocks: result.blocks.slice(offset, end),
      ...(end < result.blocks.length ? { NextToken: encodeNextToken(job.jobId, end) } : {}),
      ...(result.warnings.length > 0 ? { Warnings: [...result.warnings] } : {}),
      DetectDocumentTextModelVersion: MODEL_VERSION,
    };
  }

  /** Stops the job queue (running jobs end between pages; queued ones stay IN_PROGRESS). */
  stop(): Promise<void> {
    return this.#jobs.stop();
  }

  #takeFault(operation: OperationName): void {
    const fault = this.#faults.find((candidate) => candidate.operation === operation);
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    throw new TextractError(fault.error, `Injected fault: ${fault.error}`);
  }

  #formatOf(bytes: Uint8Array): DocumentFormat {
    const format = sniffFormat(bytes);
    if (!format) throw textractErrors.unsupportedDocument('only JPEG, PNG, TIFF and PDF documents are read');
    return format;
  }

  async #readSyncObject(object: z.infer<typeof s3ObjectSchema>): Promise<Uint8Array> {
    const location: S3Location = {
      bucket: object.Bucket,
      name: object.Name,
      ...(object.Version ? { version: object.Version } : {}),
    };
    const size = await this.#documents.size(location);
    if (size > this.#limits.maxSyncBytes) {
      throw textractErrors.tooLarge(
        `The document is ${size} bytes; synchronous operations accept up to ${this.#limits.maxSyncBytes}`,
      );
    }
    return this.#documents.read(location);
  }

  async #runJob(job: Job, signal: AbortSignal): Promise<JobResult> {
    const failed = (error: unknown): JobResult => {
      const mapped = toTextractError(error);
      return {
        status: 'FAILED',
        statusMessage: `${mapped.name}: ${mapped.message}`,
        pages: 0,
        blocks: [],
        warnings: [],
      };
    };
    let document: PagedDocument;
    try {
      const bytes = await this.#documents.read(job.request.location);
      if (bytes.byteLength === 0) throw textractErrors.badDocument('the document is empty');
      document = await this.#pages.open(bytes, this.#formatOf(bytes));
    } catch (error) {
      return failed(error);
    }
    try {
      if (document.pageCount < 1) return failed(textractErrors.badDocument('the document has no pages'));
      if (document.pageCount > this.#limits.maxAsyncPages) {
        return failed(
          textractErrors.tooLarge(
            `The document has ${document.pageCount} pages; asynchronous operations read up to ${this.#limits.maxAsyncPages}`,
          ),
        );
      }
      const blocks: Block[] = [];
      const failures = new Map<number, Error>();
      await this.#readPages(document, signal, (pageNumber, outcome) => {
        if (outcome instanceof Error) failures.set(pageNumber, outcome);
        else blocks.push(...outcome);
      });
      const pages = document.pageCount;
      if (failures.size === pages) {
        const first = failures.values().next().value;
        return { ...failed(first), pages };
      }
      return {
        status: failures.size > 0 ? 'PARTIAL_SUCCESS' : 'SUCCEEDED',
        pages,
        blocks,
        warnings: warningsOf(failures),
      };
    } finally {
      await document.close();
    }
  }

  /**
   * Reads every page in order, rendering the next page while the current one is recognized. A page that
   * fails is reported to `onPage` as its error; the others are still read.
   */
  async #readPages(
    document: PagedDocument,
    signal: AbortSignal,
    onPage: (pageNumber: number, outcome: Block[] | Error) => void,
  ): Promise<void> {
    const settle = (pageNumber: number): Promise<PageImage | Error> =>
      document
        .page(pageNumber)
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    let next = settle(1);
    for (let pageNumber = 1; pageNumber <= document.pageCount; pageNumber++) {
      const image = await next;
      signal.throwIfAborted();
      if (pageNumber < document.pageCount) next = settle(pageNumber + 1);
      if (image instanceof Error) {
        onPage(pageNumber, image);
        continue;
      }
      try {
        onPage(pageNumber, pageBlocks(await this.#recognizer.recognize(image), pageNumber));
      } catch (error) {
        onPage(pageNumber, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  async #notify(job: Job): Promise<void> {
    const topicArn = job.request.notificationTopicArn;
    if (!topicArn || !job.result) return;
    const message = {
      JobId: job.jobId,
      Status: job.result.status,
      API: 'StartDocumentTextDetection',
      ...(job.request.jobTag ? { JobTag: job.request.jobTag } : {}),
      Timestamp: Date.now(),
      DocumentLocation: { S3ObjectName: job.request.location.name, S3Bucket: job.request.location.bucket },
    };
    try {
      await this.#notifier.publish(topicArn, JSON.stringify(message));
    } catch (error) {
      // Textract finishes the job whether or not it can publish; the result stays readable with Get.
      this.#logger.warn(
        `local Textract: could not publish the completion of job ${job.jobId} to ${topicArn}`,
        error,
      );
    }
  }
}
