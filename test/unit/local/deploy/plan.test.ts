import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCdkJsonContext } from '../../../../infra/build-app';
import { INCOMING_PREFIX } from '../../../../infra/constructs/document-store';
import { API_ROUTES } from '../../../../infra/constructs/query-api';
import { CONTEXT_KEYS, ENTRY_METADATA_KEY } from '../../../../infra/keys';
import { METADATA_TABLE } from '../../../../lambdas/shared/documents/metadata-item';
import { referencedLogicalIds } from '../../../../local/deploy/intrinsics';
import { LOCAL_ACCOUNT_ID } from '../../../../local/deploy/physical-ids';
import type { DeploymentPlan } from '../../../../local/deploy/steps';
import { type SynthesizedStack, synthesizeApp } from '../../../../local/deploy/synth';
import { listStates } from '../../../../local/stepfunctions/asl';
import { readDefinition } from '../../../../statemachines/definition';
import { SUBSTITUTION_KEYS, substitute } from '../../../../statemachines/substitutions';
import {
  planOf,
  stepsOf,
  synthAndPlan,
  TEST_QUEUE_ENDPOINT,
  templateResources,
} from '../../../support/deploy-plan';

let synth: SynthesizedStack;
let plan: DeploymentPlan;

beforeAll(() => {
  ({ synth, plan } = synthAndPlan());
}, 60_000);

const idsOf = (resources: Record<string, unknown>): string[] => Object.keys(resources).sort();
const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/** `{ Ref: X }` / `{ "Fn::GetAtt": [X, attr] }` of the template → X. */
const targetOf = (value: unknown): string => {
  const [target] = referencedLogicalIds(synth.template, value);
  if (target === undefined) throw new Error(`${JSON.stringify(value)} refers to no resource`);
  return target;
};

describe('synthesizeApp', () => {
  it('builds the stack infra/app.ts builds, named after the cdk.json stage', () => {
    // Assess
    expect(synth.stackName).toBe(`Docflow-${String(readCdkJsonContext()[CONTEXT_KEYS.stage])}`);
    expect(Object.keys(synth.template.Resources).length).toBeGreaterThan(0);
  });
});

describe('planDeployment on the synthesized template', () => {
  it('deploys exactly the template’s resources of every supported type', () => {
    // Assess
    const cases = [
      ['AWS::S3::Bucket', 'bucket'],
      ['AWS::SQS::Queue', 'queue'],
      ['AWS::SNS::Topic', 'topic'],
      ['AWS::SNS::Subscription', 'subscription'],
      ['AWS::DynamoDB::Table', 'table'],
      ['AWS::SecretsManager::Secret', 'secret'],
      ['AWS::Lambda::EventSourceMapping', 'eventSource'],
      ['AWS::StepFunctions::StateMachine', 'stateMachine'],
      ['AWS::ApiGateway::RestApi', 'api'],
    ] as const;
    for (const [type, kind] of cases) {
      expect(sorted(stepsOf(plan, kind).map((step) => step.logicalId)), type).toEqual(
        idsOf(templateResources(synth.template, type)),
      );
    }
  });

  it('deploys every function that names its entry, and acknowledges only custom resource providers', () => {
    // Prepare
    const functions = Object.entries(templateResources(synth.template, 'AWS::Lambda::Function'));
    const withEntry = functions.filter(([, fn]) => fn.Metadata?.[ENTRY_METADATA_KEY] !== undefined);
    const providers = functions.filter(([, fn]) => fn.Metadata?.[ENTRY_METADATA_KEY] === undefined);
    const serviceTokens = Object.values(synth.template.Resources)
      .filter((resource) => resource.Type.startsWith('Custom::'))
      .map((resource) => targetOf(resource.Properties?.ServiceToken));

    // Assess
    expect(sorted(stepsOf(plan, 'function').map((step) => step.logicalId))).toEqual(
      sorted(withEntry.map(([id]) => id)),
    );
    for (const [id] of providers) {
      expect(serviceTokens).toContain(id);
      expect(plan.acknowledged.find((resource) => resource.logicalId === id)?.type).toBe(
        'AWS::Lambda::Function',
      );
    }
  });

  it('accounts for every resource: deployed or acknowledged, never both, never neither', () => {
    // Prepare
    const deployed = Object.keys(plan.resources);
    const acknowledged = plan.acknowledged.map((resource) => resource.logicalId);

    // Assess
    expect(sorted([...deployed, ...acknowledged])).toEqual(idsOf(synth.template.Resources));
    expect(deployed.filter((id) => acknowledged.includes(id))).toEqual([]);
  });

  it('runs each function’s bundle, the asset its S3 key names, with its handler, timeout and memory', () => {
    // Assess
    const functions = templateResources(synth.template, 'AWS::Lambda::Function');
    for (const step of stepsOf(plan, 'function')) {
      const resource = functions[step.logicalId];
      const code = resource?.Properties?.Code as { S3Key?: string } | undefined;
      expect(step.sourceEntry).toBe(resource?.Metadata?.[ENTRY_METADATA_KEY]);
      expect(step.codeDirectory).toBe(
        join(synth.assetDirectory, `asset.${String(code?.S3Key).replace(/\.zip$/, '')}`),
      );
      expect(readdirSync(step.codeDirectory)).toContain('index.mjs');
      expect(step.handler).toBe('index.handler');
      expect(step.timeoutSeconds).toBe(resource?.Properties?.Timeout);
      expect(step.memoryMb).toBe(resource?.Properties?.MemorySize);
      expect(step.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(step.arn).toBe(`arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT_ID}:function:${step.name}`);
    }
  });

  it('carries active tracing to every function and the API stage, so the local services trace them', () => {
    // Assess
    const functions = stepsOf(plan, 'function');
    expect(functions.length).toBeGreaterThan(0);
    for (const step of functions) {
      expect(step.tracing).toBe('Active');
      expect(step.notes.join('\n')).not.toMatch(/TracingConfig/);
    }
    expect(stepsOf(plan, 'api')[0]?.tracedStageNames).toEqual(['v1']);
  });

  it('resolves every function environment variable to a concrete string', () => {
    // Assess
    const functions = templateResources(synth.template, 'AWS::Lambda::Function');
    for (const step of stepsOf(plan, 'function')) {
      const environment = functions[step.logicalId]?.Properties?.Environment as
        | { Variables: object }
        | undefined;
      const variables = environment?.Variables ?? {};
      expect(Object.keys(step.environment).sort(), step.logicalId).toEqual(Object.keys(variables).sort());
      for (const [name, value] of Object.entries(step.environment)) {
        expect(typeof value, `${step.logicalId} ${name}`).toBe('string');
        // A literal of the template (a JSON document such as the price table) is taken as it is.
        const literal = (variables as Record<string, unknown>)[name];
        if (typeof literal === 'string') expect(value, `${step.logicalId} ${name}`).toBe(literal);
        else expect(value, `${step.logicalId} ${name}`).not.toMatch(/\{|Ref|Fn::|\$\{/);
      }
      for (const [name, value] of Object.entries(variables)) {
        const ref = (value as { Ref?: string }).Ref;
        const resource = ref === undefined ? undefined : plan.resources[ref];
        if (resource) expect(step.environment[name], `${step.logicalId} ${name}`).toBe(resource.ref);
      }
    }
  });

  it('substitutes the ASL with every key once: no ${ left, valid JSON, tasks on the planned functions', () => {
    // Prepare
    const [machine] = stepsOf(plan, 'stateMachine');
    const functionArns = stepsOf(plan, 'function').map((step) => step.arn);
    const asl = readDefinition();

    // Assess
    expect(machine).toBeDefined();
    if (!machine) return;
    expect(machine.definition).not.toContain('${');
    expect(Object.keys(machine.substitutions).sort()).toEqual([...SUBSTITUTION_KEYS].sort());
    expect(machine.definition).toBe(
      substitute(asl, machine.substitutions as Parameters<typeof substitute>[1]),
    );
    const definition = JSON.parse(machine.definition);
    const functionsNamed = machine.definition.match(/arn:aws:lambda:[^"]+/g) ?? [];
    expect(listStates(definition).length).toBeGreaterThan(0);
    expect(functionsNamed.length).toBeGreaterThan(0);
    for (const arn of functionsNamed) expect(functionArns).toContain(arn);
    expect(machine.type).toBe('STANDARD');
    expect(machine.tracingEnabled).toBe(true);
  });

  it('points each redrive policy at the dead-letter queue the template names', () => {
    // Prepare
    const queues = Object.entries(templateResources(synth.template, 'AWS::SQS::Queue')).filter(
      ([, queue]) => queue.Properties?.RedrivePolicy !== undefined,
    );

    // Assess
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, queue] of queues) {
      const policy = queue.Properties?.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      };
      const step = stepsOf(plan, 'queue').find((candidate) => candidate.logicalId === id);
      const deadLetter = plan.resources[targetOf(policy.deadLetterTargetArn)];
      expect(step?.redrivePolicy).toEqual({
        deadLetterTargetArn: deadLetter?.arn,
        maxReceiveCount: policy.maxReceiveCount,
      });
      expect(JSON.parse(step?.attributes.RedrivePolicy ?? '{}')).toEqual(step?.redrivePolicy);
      expect(step?.attributes.VisibilityTimeout).toBe(String(queue.Properties?.VisibilityTimeout));
    }
  });

  it('builds queue URLs on the endpoint and ARNs in the local account', () => {
    // Assess
    for (const step of stepsOf(plan, 'queue')) {
      expect(step.queueUrl).toBe(`${TEST_QUEUE_ENDPOINT}/${LOCAL_ACCOUNT_ID}/${step.queueName}`);
      expect(step.queueArn).toBe(`arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT_ID}:${step.queueName}`);
      expect(step.notes.join('\n')).toMatch(/SqsManagedSseEnabled is not applied locally/);
    }
  });

  it('carries each event source mapping’s batch size, response types and concurrency', () => {
    // Prepare
    const mappings = templateResources(synth.template, 'AWS::Lambda::EventSourceMapping');

    // Assess
    for (const step of stepsOf(plan, 'eventSource')) {
      const properties = mappings[step.logicalId]?.Properties ?? {};
      expect(step.batchSize).toBe(properties.BatchSize);
      expect(step.functionResponseTypes).toEqual(properties.FunctionResponseTypes);
      expect(step.maxConcurrency).toBe(
        (properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
      );
      expect(step.queueLogicalId).toBe(targetOf(properties.EventSourceArn));
      expect(step.functionLogicalId).toBe(targetOf(properties.FunctionName));
      expect(step.queueUrl).toBe(plan.resources[step.queueLogicalId]?.url);
      expect(step.enabled).toBe(true);
    }
  });

  it('sends the uploads bucket’s incoming/ ObjectCreated and ObjectRemoved events to the queue the starter consumes', () => {
    // Prepare
    const [notification] = stepsOf(plan, 'bucketNotification');
    const starter = stepsOf(plan, 'eventSource').find((step) =>
      stepsOf(plan, 'function').some(
        (fn) => fn.logicalId === step.functionLogicalId && fn.sourceEntry === 'lambdas/starter/handler.ts',
      ),
    );

    // Assess
    expect(notification?.bucketName).toBe(plan.outputs.UploadsBucketName?.value);
    expect(notification?.rules).toEqual(
      ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => ({
        destination: { kind: 'queue', arn: starter?.queueArn },
        events: [event],
        filter: { prefix: INCOMING_PREFIX },
      })),
    );
  });

  it('creates the metadata table with its key and both listing indexes', () => {
    // Prepare
    const table = stepsOf(plan, 'table').find((step) =>
      step.keySchema.some((key) => key.attributeName === METADATA_TABLE.partitionKey),
    );

    // Assess
    expect(table?.keySchema).toEqual([{ attributeName: METADATA_TABLE.partitionKey, keyType: 'HASH' }]);
    expect(table?.billingMode).toBe('PAY_PER_REQUEST');
    expect(
      table?.globalSecondaryIndexes.map((index) => [index.indexName, index.keySchema, index.projectionType]),
    ).toEqual(
      [METADATA_TABLE.byStatusIndex, METADATA_TABLE.byUploadTimeIndex].map((index) => [
        index.name,
        [
          { attributeName: index.partitionKey, keyType: 'HASH' },
          { attributeName: index.sortKey, keyType: 'RANGE' },
        ],
        'ALL',
      ]),
    );
  });

  it('notes the TTL that dynalite cannot apply', () => {
    // Assess
    const withTtl = stepsOf(plan, 'table').filter((step) => step.timeToLiveAttribute !== undefined);
    expect(withTtl.length).toBeGreaterThan(0);
    for (const step of withTtl) expect(step.notes.join('\n')).toMatch(/dynalite has no TTL/);
  });

  it('routes every API method to the function its integration invokes', () => {
    // Prepare
    const [api] = stepsOf(plan, 'api');
    const methods = templateResources(synth.template, 'AWS::ApiGateway::Method');
    const [handler] = Object.keys(templateResources(synth.template, 'AWS::Lambda::Function')).filter((id) =>
      JSON.stringify(Object.values(methods)).includes(id),
    );

    // Assess
    expect(sorted(api?.routes.map((route) => route.logicalId) ?? [])).toEqual(idsOf(methods));
    expect(sorted(api?.routes.map((route) => `${route.httpMethod} ${route.path}`) ?? [])).toEqual(
      sorted(API_ROUTES.map((route) => `${route.method} ${route.path}`)),
    );
    for (const route of api?.routes ?? []) {
      expect(route.functionLogicalId).toBe(handler);
      expect(route.functionArn).toBe(plan.resources[handler ?? '']?.arn);
      expect(route.authorizationType).toBe('AWS_IAM');
      expect(route.validateRequestParameters).toBe(true);
    }
    expect(api?.routes.find((route) => route.path === '/documents/{id}')?.requestParameters).toEqual({
      'method.request.path.id': true,
    });
    expect(api?.stageNames).toEqual(['v1']);
  });

  it('carries the uploads bucket’s CORS rule when origins are configured, and none otherwise', () => {
    // Prepare
    const withCors = synthesizeApp({ context: { [CONTEXT_KEYS.uploadCorsOrigins]: ['http://127.0.0.1:*'] } });

    // Act
    const buckets = stepsOf(planOf(withCors), 'bucket');

    // Assess
    expect(buckets.map((bucket) => bucket.cors ?? []).filter((rules) => rules.length > 0)).toEqual([
      [
        {
          id: 'browser-uploads',
          allowedMethods: ['POST'],
          allowedOrigins: ['http://127.0.0.1:*'],
          allowedHeaders: [],
          exposeHeaders: ['ETag', 'x-amz-version-id'],
          maxAgeSeconds: 3600,
        },
      ],
    ]);
    for (const bucket of buckets) expect(bucket.notes.join('\n')).not.toContain('CorsConfiguration');
    expect(stepsOf(plan, 'bucket').every((bucket) => (bucket.cors ?? []).length === 0)).toBe(true);
  });

  it('generates a secret value instead of planning one', () => {
    // Assess
    const [secret] = stepsOf(plan, 'secret');
    expect(secret?.value).toEqual({ generate: { passwordLength: 64, excludePunctuation: true } });
    expect(secret?.arn).toBe(`arn:aws:secretsmanager:us-east-1:${LOCAL_ACCOUNT_ID}:secret:${secret?.name}`);
  });

  it('orders every step after the deployed resources it refers to', () => {
    // Prepare
    const position = new Map<string, number>();
    plan.steps.forEach((step, index) => {
      for (const id of [step.logicalId, ...('sources' in step ? step.sources : [])]) position.set(id, index);
    });

    // Assess
    plan.steps.forEach((step, index) => {
      const ids = [step.logicalId, ...('sources' in step ? step.sources : [])];
      for (const id of ids) {
        for (const dependency of referencedLogicalIds(
          synth.template,
          synth.template.Resources[id]?.Properties,
        )) {
          const at = position.get(dependency);
          if (at !== undefined && dependency !== step.logicalId)
            expect(at, `${id} → ${dependency}`).toBeLessThanOrEqual(index);
        }
      }
    });
  });

  it('resolves every output against the local resources', () => {
    // Prepare
    const buckets = stepsOf(plan, 'bucket');
    const [machine] = stepsOf(plan, 'stateMachine');

    // Assess
    expect(Object.keys(plan.outputs).sort()).toEqual(Object.keys(synth.template.Outputs ?? {}).sort());
    for (const output of Object.values(plan.outputs)) expect(output.value).not.toMatch(/\{|Fn::|\$\{/);
    expect(buckets.map((step) => step.bucketName)).toContain(plan.outputs.UploadsBucketName?.value);
    expect(buckets.map((step) => step.bucketName)).toContain(plan.outputs.DerivativesBucketName?.value);
    expect(plan.outputs.StateMachineArn?.value).toBe(machine?.arn);
  });

  it('names resources the same way on every plan, and differently per stack and region', () => {
    // Act
    const again = planOf(synth);
    const otherStack = planOf(synth, { stackName: 'Docflow-other' });
    const otherRegion = planOf(synth, { region: 'eu-west-1' });

    // Assess
    expect(again.resources).toEqual(plan.resources);
    const names = (candidate: DeploymentPlan) => stepsOf(candidate, 'bucket').map((step) => step.bucketName);
    expect(names(otherStack).filter((name) => names(plan).includes(name))).toEqual([]);
    for (const name of names(plan)) expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    expect(stepsOf(otherRegion, 'queue')[0]?.queueArn).toMatch(/^arn:aws:sqs:eu-west-1:/);
    expect(names(otherRegion)).toEqual(names(plan));
  });
});
