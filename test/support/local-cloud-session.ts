import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import {
  type DocumentDetail,
  type DocumentSummary,
  documentDetailSchema,
  documentListSchema,
  type TextResponse,
  textResponseSchema,
} from '../../lambdas/api/schemas';
import type { DeletionRef, DocumentRef, DocumentStatus } from '../../lambdas/shared/documents/document';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';
import { LOCAL_CREDENTIALS } from '../../local/credentials';

/** Statuses a document ends in; every upload reaches exactly one of them. */
export const TERMINAL_STATUSES: readonly DocumentStatus[] = ['PROCESSED', 'REJECTED', 'FAILED'];

/** A queue by URL and ARN. */
export interface QueueRef {
  readonly url: string;
  readonly arn: string;
}

/** A local cloud started for a test file, and the clients a test talks to it with. */
export interface CloudSession {
  readonly cloud: LocalCloud;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly uploadsBucket: string;
  readonly stateMachineArn: string;
  /** The queue the uploads bucket notifies: found through the bucket's notification configuration. */
  readonly ingestQueue: QueueRef;
  /** The ingest queue's redrive target, from its RedrivePolicy. */
  readonly ingestDeadLetterQueue: QueueRef;
  /** The ingest queue's RedrivePolicy `maxReceiveCount`. */
  readonly ingestMaxReceiveCount: number;
  /** Stops the cloud and destroys the clients. */
  stop(): Promise<void>;
}

export interface CloudSessionOptions {
  readonly dataDir: string;
  readonly fresh?: boolean;
  /** CDK context, as `cdk deploy -c` passes it. */
  readonly context?: Readonly<Record<string, unknown>>;
}

const output = (cloud: LocalCloud, name: string): string => {
  const value = cloud.localDeployment.outputs[name];
  if (!value) throw new Error(`the local deployment has no ${name} output`);
  return value;
};

const queueOf = async (sqs: SQSClient, arn: string): Promise<QueueRef> => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':').at(-1) }));
  if (!QueueUrl) throw new Error(`no queue for ${arn}`);
  return { url: QueueUrl, arn };
};

/**
 * Starts the local cloud in-process on free ports, with its state in `dataDir`, and finds the
 * resources tests need the way an operator would: outputs first, then what the resources say of each
 * other (the bucket's notification target, the queue's redrive policy).
 */
export const startCloudSession = async (options: CloudSessionOptions): Promise<CloudSession> => {
  const cloud = await startLocalCloud({
    dataDir: options.dataDir,
    fresh: options.fresh ?? false,
    port: 0,
    apiPort: 0,
    ...(options.context ? { context: options.context } : {}),
  });
  const config = { region: cloud.region, credentials: LOCAL_CREDENTIALS, endpoint: cloud.endpoint };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sqs = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
  const sfn = new SFNClient(config);
  const stop = async (): Promise<void> => {
    s3.destroy();
    sqs.destroy();
    sfn.destroy();
    await cloud.stop();
  };
  try {
    const uploadsBucket = output(cloud, 'UploadsBucketName');
    const { QueueConfigurations = [] } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: uploadsBucket }),
    );
    // Creations and removals are two configurations; both must go to the one ingest queue.
    const queueArns = [...new Set(QueueConfigurations.map((configuration) => configuration.QueueArn))];
    const [notified, ...others] = queueArns;
    if (!notified || others.length > 0) {
      throw new Error(`expected the uploads bucket to notify one queue, found ${queueArns.length}`);
    }
    const ingestQueue = await queueOf(sqs, notified);
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: ingestQueue.url, AttributeNames: ['RedrivePolicy'] }),
    );
    const redrive = JSON.parse(Attributes.RedrivePolicy ?? '{}') as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: number | string;
    };
    if (!redrive.deadLetterTargetArn) throw new Error('the ingest queue has no redrive policy');
    return {
      cloud,
      s3,
      sqs,
      sfn,
      uploadsBucket,
      stateMachineArn: output(cloud, 'StateMachineArn'),
      ingestQueue,
      ingestDeadLetterQueue: await queueOf(sqs, redrive.deadLetterTargetArn),
      ingestMaxReceiveCount: Number(redrive.maxReceiveCount),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** A test file's local cloud in a temporary folder of its own, which the file may restart over the same data. */
export interface FileCloudSession {
  /**
   * The running cloud: a stand-in that reads the members of the one started last, so the file uses it
   * like any session, across restarts; reading one before the cloud has started throws.
   */
  readonly session: CloudSession;
  /** The temporary folder: the cloud keeps its data in {@link FileCloudSession.dataDir}, the rest is the file's. */
  folder(): string;
  /** The cloud's data folder, as `docflow --data-dir` takes it. */
  dataDir(): string;
  /** Stops the cloud and starts it again over the same data with `options`, as a redeploy with other context. */
  restart(options?: Omit<CloudSessionOptions, 'dataDir' | 'fresh'>): Promise<void>;
}

/**
 * A fresh local cloud for the calling test file, in a new temporary folder named after `label`: started
 * before its tests; stopped, and the folder removed, after them.
 */
export const useFileCloudSession = (
  label: string,
  options: Omit<CloudSessionOptions, 'dataDir' | 'fresh'> = {},
): FileCloudSession => {
  let folder: string | undefined;
  let started: CloudSession | undefined;
  const folderOf = (): string => {
    if (!folder) throw new Error(`the ${label} cloud's folder is used before it was made`);
    return folder;
  };
  const dataDir = (): string => join(folderOf(), 'cloud');
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), `docflow-e2e-${label}-`));
    started = await startCloudSession({ ...options, dataDir: dataDir(), fresh: true });
  });
  afterAll(async () => {
    try {
      await started?.stop();
    } finally {
      if (folder) await rm(folder, { recursive: true, force: true });
    }
  });
  return {
    session: new Proxy({} as CloudSession, {
      get: (_, member) => {
        if (!started) throw new Error(`the ${label} cloud session is used before it started`);
        return Reflect.get(started, member);
      },
    }),
    folder: folderOf,
    dataDir,
    restart: async (restartOptions = {}) => {
      await started?.stop();
      started = undefined;
      started = await startCloudSession({ ...restartOptions, dataDir: dataDir() });
    },
  };
};

/** A fresh local cloud for the calling test file that it never restarts (see {@link useFileCloudSession}). */
export const useFreshCloudSession = (
  label: string,
  options: Omit<CloudSessionOptions, 'dataDir' | 'fresh'> = {},
): CloudSession => useFileCloudSession(label, options).session;

/** Uploads bytes through the S3 API, as any client would. */
export const upload = async (session: CloudSession, key: string, body: Uint8Array): Promise<void> => {
  await session.s3.send(new PutObjectCommand({ Bucket: session.uploadsBucket, Key: key, Body: body }));
};

export interface PollOptions {
  /** Epoch milliseconds after which polling gives up. */
  readonly deadline: number;
  /** @default 500 */
  readonly intervalMs?: number;
}

/**
 * Calls `probe` until it returns a value, and returns that value. Fails once `deadline` has passed,
 * with `describe()` saying what was last seen. A bounded wait, never a timing assertion.
 */
export const pollUntil = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: PollOptions & { readonly describe?: () => string },
): Promise<T> => {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= options.deadline) {
      throw new Error(
        `gave up waiting for ${what}${options.describe ? `; last seen: ${options.describe()}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
};

/** The API's answer: status and parsed JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** An unsigned GET on the local query API (`path` relative to its base URL, e.g. `documents/abc`). */
export const apiGet = async (session: CloudSession, path: string): Promise<ApiAnswer> => {
  const response = await fetch(new URL(path, session.cloud.apiUrl));
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
};

/** GET documents/{id}: the document, or undefined while it does not exist yet. */
export const getDocument = async (session: CloudSession, id: string): Promise<DocumentDetail | undefined> => {
  const { status, body } = await apiGet(session, `documents/${id}`);
  if (status === 404) return undefined;
  if (status !== 200) throw new Error(`GET documents/${id} answered ${status}: ${JSON.stringify(body)}`);
  return documentDetailSchema.parse(body);
};

/** Polls GET documents/{id} until the document is in a terminal status. */
export const waitForTerminal = (
  session: CloudSession,
  id: string,
  options: PollOptions,
): Promise<DocumentDetail> => {
  let last: DocumentDetail | undefined;
  return pollUntil(
    `document ${id} to reach a terminal status`,
    async () => {
      last = await getDocument(session, id);
      return last && TERMINAL_STATUSES.includes(last.status) ? last : undefined;
    },
    { ...options, describe: () => (last ? `status ${last.status}` : 'no item') },
  );
};

/** GET documents with the given filters, following `nextCursor` to the last page. */
export const listDocuments = async (
  session: CloudSession,
  filters: Readonly<Record<string, string>> = {},
): Promise<DocumentSummary[]> => {
  const items: DocumentSummary[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...filters, ...(cursor ? { cursor } : {}) });
    const { status, body } = await apiGet(session, `documents?${query}`);
    if (status !== 200) throw new Error(`GET documents?${query} answered ${status}: ${JSON.stringify(body)}`);
    const page = documentListSchema.parse(body);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
};

/** GET documents/{id}/text with every page in one response. */
export const getText = async (
  session: CloudSession,
  id: string,
): Promise<{ status: number; text?: TextResponse }> => {
  const { status, body } = await apiGet(session, `documents/${id}/text?pageSize=50`);
  return status === 200 ? { status, text: textResponseSchema.parse(body) } : { status };
};

/** Every event of an execution's history, in order. */
export const executionHistory = async (
  session: CloudSession,
  executionArn: string,
): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await session.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

/** The names of the states an execution entered, in the order it entered them. */
export const enteredStates = (events: readonly HistoryEvent[]): string[] =>
  events.flatMap((event) =>
    event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name
      ? [event.stateEnteredEventDetails.name]
      : [],
  );

/** Every execution of the state machine (all statuses, all pages). */
export const listExecutions = async (
  session: CloudSession,
  statusFilter?: 'RUNNING',
): Promise<ExecutionListItem[]> => {
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await session.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: session.stateMachineArn,
        nextToken,
        maxResults: 1000,
        ...(statusFilter ? { statusFilter } : {}),
      }),
    );
    executions.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return executions;
};

/** What an execution was started for: `{"document": DocumentRef}` for an upload, `{"deletion": …}` for a removal. */
interface ExecutionInput {
  readonly document?: DocumentRef;
  readonly deletion?: DeletionRef;
}

const inputOfExecution = async (session: CloudSession, executionArn: string): Promise<ExecutionInput> => {
  const { input } = await session.sfn.send(new DescribeExecutionCommand({ executionArn }));
  return JSON.parse(input ?? '{}') as ExecutionInput;
};

/** One part of an execution's input, which must be there: `what` names the execution that has it. */
const inputPartOf = async <Part extends keyof ExecutionInput>(
  session: CloudSession,
  executionArn: string,
  part: Part,
  what: string,
): Promise<NonNullable<ExecutionInput[Part]>> => {
  const value = (await inputOfExecution(session, executionArn))[part];
  if (!value) throw new Error(`execution ${executionArn} is not ${what}`);
  return value;
};

/** The document an upload's execution was started for. */
export const documentOfExecution = (session: CloudSession, executionArn: string): Promise<DocumentRef> =>
  inputPartOf(session, executionArn, 'document', "an upload's");

/** The deletion a removal's execution was started for. */
export const deletionOfExecution = (session: CloudSession, executionArn: string): Promise<DeletionRef> =>
  inputPartOf(session, executionArn, 'deletion', "a removal's");

/** The executions started for one document id (whatever their names), uploads' and removals' alike. */
export const executionsOfDocument = async (
  session: CloudSession,
  documentId: string,
): Promise<ExecutionListItem[]> => {
  const all = await listExecutions(session);
  const inputs = await Promise.all(
    all.map((execution) => inputOfExecution(session, execution.executionArn ?? '')),
  );
  return all.filter((_, index) => (inputs[index]?.document ?? inputs[index]?.deletion)?.id === documentId);
};

/** Messages in a queue: visible, in flight and delayed. */
export const queueDepth = async (session: CloudSession, queueUrl: string): Promise<number> => {
  const { Attributes = {} } = await session.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
};

/** Waits until the ingest queue holds no message, visible, in flight or delayed: the starter has settled every one. */
export const ingestQueueEmpty = (session: CloudSession, budgetMs = 30_000): Promise<true> => {
  let depth = Number.NaN;
  return pollUntil(
    'the ingest queue to be empty',
    async () => {
      depth = await queueDepth(session, session.ingestQueue.url);
      return depth === 0 ? true : undefined;
    },
    { deadline: Date.now() + budgetMs, describe: () => `${depth} message(s) in the ingest queue` },
  );
};
