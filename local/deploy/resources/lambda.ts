import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ENTRY_METADATA_KEY } from '../../../infra/keys';
import type { DeployStep, EventSourceStep, FunctionStep, QueueStep } from '../steps';
import {
  asList,
  asPlanned,
  isRecord,
  isTrue,
  NO_CLOUDWATCH,
  NO_PERMISSIONS,
  type PlanContext,
  type ResolvedResource,
  type ResourceHandler,
} from './resource-handler';

const FUNCTION = 'AWS::Lambda::Function';

/** The folder of the function's bundle: the synthesized asset its `Code.S3Key` names. */
const codeDirectoryOf = (resource: ResolvedResource, sourceEntry: string, context: PlanContext): string => {
  const code = resource.property('Code');
  const s3Key = isRecord(code) ? code.S3Key : undefined;
  if (typeof s3Key !== 'string' || !/^[0-9a-f]{64}\.zip$/.test(s3Key)) {
    throw resource.error(
      ['Properties', 'Code', 'S3Key'],
      'must be the S3 key of a synthesized asset (<hash>.zip)',
    );
  }
  const { assetDirectory } = context.inputs;
  const codeDirectory = join(assetDirectory, `asset.${s3Key.slice(0, -'.zip'.length)}`);
  if (!existsSync(codeDirectory)) {
    throw resource.error(
      ['Properties', 'Code', 'S3Key'],
      `its asset ${basename(codeDirectory)} (the bundle of ${sourceEntry}) is not in ${assetDirectory}: synthesize the app with bundling`,
    );
  }
  return codeDirectory;
};

const environmentOf = (resource: ResolvedResource): Record<string, string> => {
  const environment: Record<string, string> = {};
  const variables = resource.property('Environment');
  if (isRecord(variables) && isRecord(variables.Variables)) {
    for (const [name, value] of Object.entries(variables.Variables)) {
      environment[name] = resource.resolveString(value, 'Environment', 'Variables', name);
    }
  }
  return environment;
};

const lambdaFunction = (resource: ResolvedResource, context: PlanContext): FunctionStep => {
  const sourceEntry = resource.raw.Metadata?.[ENTRY_METADATA_KEY];
  if (typeof sourceEntry !== 'string' || sourceEntry.length === 0) {
    throw resource.error(['Metadata', ENTRY_METADATA_KEY], 'must name the TypeScript entry');
  }
  const codeDirectory = codeDirectoryOf(resource, sourceEntry, context);
  const runtime = resource.string('Runtime') ?? '';
  if (!runtime.startsWith('nodejs')) {
    throw resource.error(
      ['Properties', 'Runtime'],
      `runtime ${runtime || 'none'} cannot run locally (only nodejs*)`,
    );
  }
  const handler = resource.string('Handler') ?? '';
  if (/\s/.test(handler) || !/^[^.]+\.[^.]/.test(basename(handler))) {
    throw resource.error(['Properties', 'Handler'], `"${handler}" is not <module>.<export>`);
  }
  const environment = environmentOf(resource);
  const reserved = resource.number('ReservedConcurrentExecutions');
  const tracingConfig = resource.property('TracingConfig');
  const tracing = isRecord(tracingConfig) ? (tracingConfig.Mode ?? 'PassThrough') : 'PassThrough';
  const deadLetterConfig = resource.property('DeadLetterConfig');
  const deadLetterQueueArn = isRecord(deadLetterConfig) ? deadLetterConfig.TargetArn : undefined;
  if (deadLetterQueueArn !== undefined && !String(deadLetterQueueArn).startsWith('arn:aws:sqs:')) {
    throw resource.error(
      ['Properties', 'DeadLetterConfig', 'TargetArn'],
      `${String(deadLetterQueueArn)}: only SQS dead-letter queues are supported locally`,
    );
  }
  if (tracing !== 'Active' && tracing !== 'PassThrough') {
    throw resource.error(['Properties', 'TracingConfig', 'Mode'], 'must be Active or PassThrough');
  }
  return {
    kind: 'function',
    ...resource.names,
    codeDirectory,
    handler,
    sourceEntry,
    runtime,
    timeoutSeconds: resource.number('Timeout') ?? 3,
    memoryMb: resource.number('MemorySize') ?? 128,
    environment,
    ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
    tracing,
    architectures: asList(resource.property('Architectures') ?? ['x86_64']).map(String),
    ...(deadLetterQueueArn === undefined ? {} : { deadLetterQueueArn: String(deadLetterQueueArn) }),
    notes: resource.notes(
      [
        'FunctionName',
        'Code',
        'Runtime',
        'Handler',
        'Timeout',
        'MemorySize',
        'Environment',
        'ReservedConcurrentExecutions',
        'TracingConfig',
        'DeadLetterConfig',
      ],
      {
        Role: NO_PERMISSIONS,
        Architectures: 'it runs on this machine’s architecture, native packages from the host’s node_modules',
        LoggingConfig: NO_CLOUDWATCH,
        EphemeralStorage: 'the function shares this machine’s temporary folder',
      },
    ),
  };
};

const eventSource = (resource: ResolvedResource, earlier: readonly DeployStep[]): EventSourceStep => {
  const sourceArn = resource.string('EventSourceArn') ?? '';
  const queue = earlier.find(
    (step): step is QueueStep => step.kind === 'queue' && step.queueArn === sourceArn,
  );
  if (!queue) {
    throw resource.error(
      ['Properties', 'EventSourceArn'],
      `${sourceArn || 'nothing'} is not a queue of this template: only SQS event sources are supported locally`,
    );
  }
  const functionRef = resource.string('FunctionName') ?? '';
  const unqualified = functionRef.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):.+$/, '$1');
  const fn = earlier.find(
    (step): step is FunctionStep =>
      step.kind === 'function' && (step.name === unqualified || step.arn === unqualified),
  );
  if (!fn) {
    throw resource.error(['Properties', 'FunctionName'], `${functionRef} is not a function of this template`);
  }
  if (resource.property('FilterCriteria') !== undefined) {
    throw resource.error(
      ['Properties', 'FilterCriteria'],
      'event filtering is not supported locally (messages would reach the function unfiltered)',
    );
  }
  const scaling = resource.property('ScalingConfig');
  const maxConcurrency = isRecord(scaling)
    ? resource.number('ScalingConfig.MaximumConcurrency', scaling.MaximumConcurrency)
    : undefined;
  const enabled = resource.property('Enabled');
  return {
    kind: 'eventSource',
    logicalId: resource.logicalId,
    functionLogicalId: fn.logicalId,
    functionName: fn.name,
    functionArn: fn.arn,
    queueLogicalId: queue.logicalId,
    queueArn: queue.queueArn,
    queueUrl: queue.queueUrl,
    batchSize: resource.number('BatchSize') ?? 10,
    maximumBatchingWindowSeconds: resource.number('MaximumBatchingWindowInSeconds') ?? 0,
    functionResponseTypes: asList(resource.property('FunctionResponseTypes')).map(String),
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    enabled: enabled === undefined || isTrue(enabled),
    notes: resource.notes([
      'EventSourceArn',
      'FunctionName',
      'BatchSize',
      'MaximumBatchingWindowInSeconds',
      'FunctionResponseTypes',
      'ScalingConfig',
      'Enabled',
    ]),
  };
};

/**
 * Functions built by the DocflowFunction construct (run from their synthesized bundle), and SQS
 * event source mappings onto them.
 */
export const lambdaHandler: ResourceHandler = {
  types: [FUNCTION, 'AWS::Lambda::EventSourceMapping'],
  deploy: {
    function: asPlanned((step, targets) => targets.registerFunction(step)),
    eventSource: asPlanned((step, targets) => targets.addEventSource(step)),
  },
  plan: (resource, earlier, context) =>
    resource.type === FUNCTION ? lambdaFunction(resource, context) : eventSource(resource, earlier),
};
