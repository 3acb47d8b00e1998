import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CONTEXT_KEYS } from '../infra/keys';
import { type RestApiServer, startRestApiServer } from './api/rest-api-server';
import { LocalCloudFormation } from './cloudformation/service';
import { LOCAL_CREDENTIALS } from './credentials';
import { applyPlan, type Deployment } from './deploy/apply';
import { LOCAL_ACCOUNT_ID } from './deploy/physical-ids';
import { planDeployment } from './deploy/plan';
import { sdkTargets } from './deploy/sdk-targets';
import type { ApiStep, EventSourceStep } from './deploy/steps';
import { synthesizeInChildProcess } from './deploy/synth-child';
import { type LocalDeployment, writeDeploymentFile } from './deployment-file';
import { startDynamoDb } from './emulators/dynamodb';
import { startMessaging } from './emulators/fauxqs';
import { LocalEventBus } from './events/event-bus';
import { queueSender } from './events/queue-sender';
import { createEventsRequestHandler, LocalEventsApi } from './events/service';
import { DEFAULT_GATEWAY_PORT, startGateway } from './gateway';
import { proxyTo } from './http/proxy';
import { LambdaRunner } from './lambda/runner';
import { SqsEventSource } from './lambda/sqs-event-source';
import { LocalLambdaApi } from './lambda-api/service';
import { projectCacheFolder } from './project-cache';
import { createS3Notifications, fauxqsTargets } from './s3/notifications';
import { LocalSecretsManager } from './secrets/service';
import { QueueActivity } from './sqs/queue-activity';
import { sqsRoute } from './sqs/queue-urls';
import { createLocalStepFunctions } from './stepfunctions/service';
import { createLocalTextract } from './textract/server';
import { startLocalXRay } from './xray/service';
import type { SegmentSink } from './xray/trace-header';

/** The repository root: the CDK app, the handlers and the default data folder live here. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

/**
 * Pages that may POST uploads to the local uploads bucket (its CORS rule): any port on this machine's
 * loopback, where the console is served; `docflow:uploadCorsOrigins` in `context` overrides it.
 */
export const LOCAL_UPLOAD_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*'] as const;

/** Default port of the query API, beside the services' 4566. */
export const DEFAULT_API_PORT = 4567;

export interface LocalCloudOptions {
  /** Where every service keeps its state. @default `<repo>/.docflow` */
  readonly dataDir?: string;
  /** Delete the data folder first. @default false */
  readonly fresh?: boolean;
  /** Port of the one AWS endpoint; 0 picks a free one. @default 4566 */
  readonly port?: number;
  /** Port of the query API; 0 picks a free one. @default 4567 */
  readonly apiPort?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** CDK context on top of cdk.json's (e.g. limits), as `cdk deploy -c key=value` would pass it. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Progress lines while the cloud comes up. @default nothing */
  readonly log?: (line: string) => void;
  /** Called as each request reaches the AWS endpoint (`up` keeps its idle collection with it). */
  readonly onRequest?: () => void;
}

/** A running local cloud. */
export interface LocalCloud {
  /** The one endpoint of every AWS service (`AWS_ENDPOINT_URL`). */
  readonly endpoint: string;
  /** Base URL of the query API, including the stage (like the deployed `ApiUrl`). */
  readonly apiUrl: string;
  readonly region: string;
  readonly dataDir: string;
  /** What the template became locally: outputs and every resource's physical id. */
  readonly deployment: Deployment;
  /** What `.docflow/deployment.json` says: the CLI and other clients read it. */
  readonly localDeployment: LocalDeployment;
  /** Stops polling first, then the services, so nothing in flight is lost. */
  stop(): Promise<void>;
}

/**
 * Brings the whole pipeline up on this machine: starts the emulators and the local services behind
 * one endpoint, synthesizes the CDK app and deploys its template onto them (the template is the only
 * list of resources), then starts the SQS pollers and the query API.
 */
export const startLocalCloud = async (options: LocalCloudOptions = {}): Promise<LocalCloud> => {
  const region = options.region ?? 'us-east-1';
  const dataDir = resolve(options.dataDir ?? join(PROJECT_ROOT, '.docflow'));
  const log = options.log ?? (() => {});
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };

  // The CDK app is synthesized in its own process while the emulators start here: it is CPU work that
  // needs none of them, and its memory ends with that process.
  const stopSynth = new AbortController();
  stops.push(async () => stopSynth.abort());
  log('synthesizing the CDK app');
  const synthesis = synthesizeInChildProcess({
    projectRoot: PROJECT_ROOT,
    context: { [CONTEXT_KEYS.uploadCorsOrigins]: LOCAL_UPLOAD_ORIGINS, ...options.context },
    log,
    signal: stopSynth.signal,
  });
  // Awaited below; a failure before then stops `up` with its own error, not this one.
  synthesis.catch(() => {});

  try {
    log('starting emulators (S3, SQS, SNS on fauxqs; DynamoDB on dynalite)');
    // What may have put a message in a queue wakes the idle SQS pollers, which otherwise poll every 10 s.
    const queueActivity = new QueueActivity();
    const [messaging, dynamo] = await Promise.all([
      startMessaging({
        dataDir: join(dataDir, 'fauxqs'),
        region,
        onQueueWrite: () => queueActivity.notify(),
      }),
      startDynamoDb({ path: join(dataDir, 'dynamodb') }),
    ]);
    stops.push(
      () => messaging.stop(),
      () => dynamo.stop(),
    );
    // Stopped after all but the emulators, so the segments of what stops before it still arrive.
    const xray = await startLocalXRay({ dataDir: join(dataDir, 'xray'), region });
    stops.push(() => xray.stop());
    // The segments AWS services write themselves (Lambda, API Gateway, Step Functions) go straight into
    // the local X-Ray.
    const serviceSegments: SegmentSink = {
      put: (document) => {
        const refused = xray.ingest(JSON.stringify(document));
        if (refused) console.warn(`local X-Ray: refused a service segment: ${refused.message}`);
      },
    };

    const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
    const notifications = createS3Notifications({
      upstream: messaging.endpoint,
      targets: fauxqsTargets(messaging.server, () => queueActivity.notify()),
      dataDir: join(dataDir, 's3-notifications'),
      region,
      // Browser uploads are presigned POSTs the api function signs with these; others are refused.
      credentials: [LOCAL_CREDENTIALS],
    });
    const secrets = new LocalSecretsManager({ dataDir: join(dataDir, 'secrets'), region });
    const textract = createLocalTextract({
      s3: new S3Client({ ...clientConfig, endpoint: messaging.endpoint, forcePathStyle: true }),
      sns: new SNSClient({ ...clientConfig, endpoint: messaging.endpoint }),
    });
    stops.push(() => textract.stop());

    // The runner is created once the gateway's address is known; the workflow only invokes later.
    let runner: LambdaRunner | undefined;
    const invoke: LambdaRunner['invoke'] = (arn, payload, invokeOptions) => {
      if (!runner) throw new Error('the Lambda runner is not up yet');
      return runner.invoke(arn, payload, invokeOptions);
    };
    // Dead-letter queues (EventBridge targets', functions') are written straight into the local SQS.
    const deadLetters = new SQSClient({
      ...clientConfig,
      endpoint: messaging.endpoint,
      useQueueUrlAsEndpoint: false,
    });
    stops.push(async () => deadLetters.destroy());
    const sendToQueue = queueSender(deadLetters, messaging.endpoint);
    const lambdaApi = new LocalLambdaApi({ invoke, sendToQueue, logger: console });
    // The default event bus: the template's rules, and the status changes Step Functions sends.
    const eventBus = new LocalEventBus({
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ports: {
        invokeLambdaAsync: async (arn, payload) => {
          await lambdaApi.invokeAsync(arn, payload);
        },
        sendToQueue,
      },
      logger: console,
    });
    const stepFunctions = createLocalStepFunctions({
      invokeLambda: invoke,
      endpoints: { dynamodb: dynamo.endpoint, sqs: messaging.endpoint },
      segments: serviceSegments,
      events: eventBus,
      dataDir: join(dataDir, 'stepfunctions'),
      region,
      credentials: LOCAL_CREDENTIALS,
    });

    const cloudFormation = new LocalCloudFormation();
    const gateway = await startGateway({
      port: options.port ?? DEFAULT_GATEWAY_PORT,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      routes: {
        s3: notifications.handler,
        sqs: sqsRoute(messaging.endpoint),
        sns: proxyTo(messaging.endpoint),
        sts: proxyTo(messaging.endpoint),
        dynamodb: dynamo.handler,
        secretsmanager: secrets.handler,
        states: stepFunctions.handler,
        textract: textract.handler,
        xray: xray.handler,
        cloudformation: cloudFormation.handler,
        lambda: lambdaApi.handler,
        events: createEventsRequestHandler(new LocalEventsApi(eventBus), console),
      },
    });
    stops.push(() => gateway.stop());

    const functionRunner = new LambdaRunner({
      region,
      // The bundles' compiled code, kept beside the packages: a fresh data folder starts its functions
      // from it too (a bundle's path names its content, so an entry never goes stale).
      compileCacheDirectory: projectCacheFolder('lambda-compile-cache'),
      xrayDaemonAddress: xray.daemon.address,
      segments: serviceSegments,
      environment: {
        AWS_ENDPOINT_URL: gateway.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        DOCFLOW_S3_FORCE_PATH_STYLE: 'true',
        // Function logs are JSON for CloudWatch; on a terminal only warnings are worth a line, and the
        // metrics (EMF lines) have no CloudWatch to go to. POWERTOOLS_LOG_LEVEL=INFO shows everything.
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
    });
    runner = functionRunner;
    stops.push(() => functionRunner.close());
    // After Step Functions (whose last status changes they deliver), before the runner.
    stops.push(
      () => lambdaApi.stop(),
      () => eventBus.stop(),
    );
    // Stopped before the runner: running executions drain, or stay RUNNING on disk and resume next time.
    stops.push(() => stepFunctions.stop());

    const synthesized = await synthesis;
    const plan = planDeployment(synthesized.template, {
      stackName: synthesized.stackName,
      region,
      queueEndpoint: gateway.endpoint,
      projectRoot: synthesized.projectRoot,
      assetDirectory: synthesized.assetDirectory,
      fileAssets: synthesized.fileAssets,
    });

    const storage = sdkTargets({ endpoint: gateway.endpoint, region, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => storage.close());
    const eventSources: EventSourceStep[] = [];
    const apis: ApiStep[] = [];
    log(`deploying ${synthesized.stackName} (${plan.steps.length} steps)`);
    const deployment = await applyPlan(plan, {
      ...storage,
      // Each function starts once, from its bundle: one that cannot load fails `up`, not a document.
      registerFunction: (step) => {
        functionRunner.register(step, { prewarm: true });
        lambdaApi.register(step);
      },
      addEventSource: (step) => {
        if (step.enabled) eventSources.push(step);
      },
      registerStateMachine: (step) => stepFunctions.registerStateMachine(step),
      addEventRule: (step) => eventBus.putRule(step),
      addApiRoutes: (step) => {
        apis.push(step);
      },
    });

    await functionRunner.started();

    const [api, ...otherApis] = apis;
    if (!api || otherApis.length > 0)
      throw new Error(`expected one REST API in the template, found ${apis.length}`);
    const stage = api.stageNames[0] ?? 'prod';
    const apiServer: RestApiServer = await startRestApiServer({
      routes: api.routes,
      stage,
      apiId: api.restApiId,
      region,
      port: options.apiPort ?? DEFAULT_API_PORT,
      invoke: (functionArn, event, invokeOptions) => functionRunner.invoke(functionArn, event, invokeOptions),
      ...(api.tracedStageNames.includes(stage) ? { segments: serviceSegments } : {}),
    });
    stops.push(() => apiServer.stop());

    // Straight to fauxqs, as the dead-letter client: the pollers' receives and deletes skip the gateway's hop.
    const sqs = new SQSClient({
      ...clientConfig,
      endpoint: messaging.endpoint,
      useQueueUrlAsEndpoint: false,
    });
    stops.push(async () => sqs.destroy());
    const pollers = eventSources.map(
      (step) =>
        new SqsEventSource({ ...step, sqs, invoker: functionRunner, region, activity: queueActivity }),
    );
    for (const poller of pollers) poller.start();
    stops.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });

    const resumed = stepFunctions.resumeInterrupted();
    if (resumed > 0) log(`resumed ${resumed} execution(s) left running by the last run`);

    const localDeployment: LocalDeployment = {
      endpoint: gateway.endpoint,
      region,
      apiUrl: apiServer.url,
      outputs: { ...deployment.outputs, ApiUrl: apiServer.url },
    };
    // `--stack <name>` clients read the same outputs through DescribeStacks.
    cloudFormation.publish({ ...deployment, outputs: localDeployment.outputs });
    await writeDeploymentFile(dataDir, localDeployment);

    return {
      endpoint: gateway.endpoint,
      apiUrl: apiServer.url,
      region,
      dataDir,
      deployment,
      localDeployment,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
