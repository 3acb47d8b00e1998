import type { Block } from '@aws-sdk/client-textract';
import type { ExtractTextDependencies } from '../../lambdas/extract-text/extract-text';
import { derivativeKeys } from '../../lambdas/shared/documents/derivative-keys';
import type { S3Pointer } from '../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../lambdas/shared/documents/text-document';
import type {
  DetectedText,
  DetectionDocument,
  TextDetectionJobRequest,
  TextDetectionJobStarter,
  TextDetectionResults,
  TextDetectionResultsPage,
  TextDetector,
} from '../../lambdas/shared/ports/text-detection';
import type { TextDocumentWriter } from '../../lambdas/shared/ports/text-document-writer';
import type { TextractJobRecord, TextractJobs } from '../../lambdas/shared/ports/textract-jobs';
import type { CallbackDelivery, TaskCallbacks } from '../../lambdas/textract-callback/complete-textract-job';

/**
 * In-memory fakes of the text pipeline's ports, with the adapters' contracts. Each records what it was
 * asked, in one shared `events` log when given one, so a test can check the order of side effects.
 */

export type EventLog = string[];

/** A LINE block as Textract returns it. */
export const lineBlock = (text: string, page?: number, confidence = 99): Block => ({
  BlockType: 'LINE',
  Text: text,
  Confidence: confidence,
  ...(page === undefined ? {} : { Page: page }),
  Geometry: { BoundingBox: { Left: 0.1, Top: 0.1, Width: 0.5, Height: 0.05 } },
});

export class InMemoryTextDocumentStore implements TextDocumentWriter {
  readonly documents = new Map<string, TextDocument>();

  constructor(
    private readonly bucket = 'derivatives',
    private readonly events: EventLog = [],
  ) {}

  async save(document: TextDocument): Promise<S3Pointer> {
    const key = derivativeKeys.text({
      id: document.documentId,
      version: document.version,
      sequencer: document.sequencer,
    });
    // A JSON round trip, as S3 stores it: nothing that does not survive one may be relied on.
    this.documents.set(key, JSON.parse(JSON.stringify(document)) as TextDocument);
    this.events.push(`texts.save ${key}`);
    return { bucket: this.bucket, key };
  }
}

export class InMemoryTextractJobs implements TextractJobs {
  readonly records = new Map<string, TextractJobRecord>();

  constructor(private readonly events: EventLog = []) {}

  async save(record: TextractJobRecord): Promise<void> {
    this.records.set(record.jobTag, structuredClone(record));
    this.events.push(`jobs.save ${record.jobTag}`);
  }

  async find(jobTag: string): Promise<TextractJobRecord | undefined> {
    this.events.push(`jobs.find ${jobTag}`);
    return this.records.get(jobTag);
  }

  async remove(jobTag: string): Promise<void> {
    this.records.delete(jobTag);
    this.events.push(`jobs.remove ${jobTag}`);
  }
}

type Scripted<T> = T | Error | ((...args: never[]) => T);

const play = async <T>(step: Scripted<T> | undefined, what: string): Promise<T> => {
  if (step === undefined) throw new Error(`the fake has no scripted answer for ${what}`);
  if (step instanceof Error) throw step;
  return typeof step === 'function' ? (step as () => T)() : step;
};

/** Textract: scripted answers per call, in order; every request recorded. */
export class FakeTextract implements TextDetector, TextDetectionJobStarter, TextDetectionResults {
  readonly detected: DetectionDocument[] = [];
  readonly started: TextDetectionJobRequest[] = [];
  readonly resultCalls: { jobId: string; nextToken?: string }[] = [];
  readonly detectAnswers: Scripted<DetectedText>[] = [];
  readonly startAnswers: Scripted<{ jobId: string }>[] = [];
  /** By next token (`''` for the first call). */
  readonly resultPages = new Map<string, Scripted<TextDetectionResultsPage>>();

  constructor(private readonly events: EventLog = []) {}

  async detect(document: DetectionDocument): Promise<DetectedText> {
    this.detected.push(document);
    this.events.push('textract.detect');
    return play(this.detectAnswers.shift(), 'detect');
  }

  async start(request: TextDetectionJobRequest): Promise<{ jobId: string }> {
    this.started.push(request);
    this.events.push(`textract.start ${request.jobTag}`);
    return play(this.startAnswers.shift(), 'start');
  }

  async getPage(jobId: string, nextToken?: string): Promise<TextDetectionResultsPage> {
    this.resultCalls.push({ jobId, ...(nextToken === undefined ? {} : { nextToken }) });
    this.events.push(`textract.getPage ${nextToken ?? ''}`);
    return play(this.resultPages.get(nextToken ?? ''), `getPage(${nextToken ?? ''})`);
  }
}

/** Step Functions' task callbacks: records them; `gone` tokens answer as a timed-out task would. */
export class FakeTaskCallbacks implements TaskCallbacks {
  readonly successes: { taskToken: string; output: unknown }[] = [];
  readonly failures: { taskToken: string; error: string; cause: string }[] = [];
  readonly gone = new Set<string>();
  failWith?: Error;

  constructor(private readonly events: EventLog = []) {}

  async succeed(taskToken: string, output: unknown): Promise<CallbackDelivery> {
    this.events.push('sfn.succeed');
    if (this.failWith) throw this.failWith;
    if (this.gone.has(taskToken)) return 'task-gone';
    this.successes.push({ taskToken, output: JSON.parse(JSON.stringify(output)) });
    return 'delivered';
  }

  async fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    this.events.push('sfn.fail');
    if (this.failWith) throw this.failWith;
    if (this.gone.has(taskToken)) return 'task-gone';
    this.failures.push({ taskToken, error, cause });
    return 'delivered';
  }
}

/**
 * The text step's ports around the given blobs, parsers and limits, for a test of the step's own
 * parsing: `textract` plays Textract, and its jobs and the text documents are held in memory.
 */
export const textStepPorts = (
  parts: Pick<ExtractTextDependencies, 'blobs' | 'extractor' | 'images' | 'limits'>,
  textract: TextDetector & TextDetectionJobStarter,
): ExtractTextDependencies & { readonly texts: InMemoryTextDocumentStore } => ({
  ...parts,
  detector: textract,
  jobStarter: textract,
  jobs: new InMemoryTextractJobs(),
  texts: new InMemoryTextDocumentStore(),
});
