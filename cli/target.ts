import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { XRayClient } from '@aws-sdk/client-xray';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { LOCAL_CREDENTIALS } from '../local/credentials';
import {
  deploymentFilePath,
  readDeploymentFile,
  requireOutput,
  type StackOutputName,
} from '../local/deployment-file';
import { stackOutputs } from './adapters/cloudformation-outputs';
import { FetchDownloads, HttpDocumentsApi } from './adapters/http-documents-api';
import { S3Uploader } from './adapters/s3-uploader';
import { SfnExecutions } from './adapters/sfn-executions';
import { signedRequest } from './adapters/sigv4-fetch';
import { SqsFailedDocumentsQueue } from './adapters/sqs-failed-documents';
import { XRayTraces } from './adapters/xray-traces';
import type { GlobalOptions } from './args';
import { CliError } from './errors';
import type { DocflowTarget } from './ports';

/** Where a deployment is and how to call it: what the CLI's adapters and the console server are built on. */
export interface Connection {
  readonly kind: DocflowTarget['kind'];
  readonly description: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** The local cloud's endpoint; undefined for AWS's own endpoints. */
  readonly endpoint?: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly apiUrl: string;
}

/** API Gateway's region is in its host name (`<id>.execute-api.<region>.amazonaws.com`). */
const apiRegion = (apiUrl: string, fallback: string): string =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(apiUrl).hostname)?.[1] ?? fallback;

const targetOver = (connection: Connection): DocflowTarget => {
  const { region, credentials, endpoint, outputs, description } = connection;
  const output = (name: StackOutputName): string => requireOutput(outputs, name, description);
  const local = endpoint === undefined ? {} : { endpoint };
  const s3 = new S3Client({ region, credentials, ...local, forcePathStyle: endpoint !== undefined });
  const sfn = new SFNClient({ region, credentials, ...local });
  // Queue URLs name a host; the configured endpoint is where requests go (see lambdas/shared/clients.ts).
  const sqs = new SQSClient({ region, credentials, ...local, useQueueUrlAsEndpoint: endpoint === undefined });
  const xray = new XRayClient({ region, credentials, ...local });
  const executions = new SfnExecutions(sfn);
  return {
    kind: connection.kind,
    description,
    uploader: new S3Uploader(s3, output('UploadsBucketName')),
    documents: new HttpDocumentsApi(
      connection.apiUrl,
      signedRequest({ region: apiRegion(connection.apiUrl, region), credentials }),
    ),
    downloads: new FetchDownloads(),
    executions,
    redriver: executions,
    traces: new XRayTraces(xray),
    failedDocuments: () => new SqsFailedDocumentsQueue(sqs, output('FailedDocumentsQueueUrl')),
    close: () => {
      s3.destroy();
      sfn.destroy();
      sqs.destroy();
      xray.destroy();
    },
  };
};

/** The local cloud described by the deployment file of `dataDir`. */
const localConnection = async (globals: GlobalOptions, dataDir: string): Promise<Connection> => {
  const deployment = await readDeploymentFile(dataDir);
  if (!deployment) {
    throw new CliError(
      `the local cloud is not running (there is no ${deploymentFilePath(dataDir)}).\n` +
        'Start it with `npm start` (or `npx docflow up`), or use --stack <name> for a deployed stack.',
    );
  }
  const endpoint = globals.endpoint ?? deployment.endpoint;
  return {
    kind: 'local',
    description: `the local cloud at ${endpoint}`,
    region: globals.region ?? deployment.region,
    credentials: LOCAL_CREDENTIALS,
    endpoint,
    outputs: deployment.outputs,
    apiUrl: deployment.apiUrl,
  };
};

/** A deployed stack: its outputs through CloudFormation, with the user's own AWS credentials. */
const stackConnection = async (stackName: string, globals: GlobalOptions): Promise<Connection> => {
  const credentials = fromNodeProviderChain();
  const cloudFormation = new CloudFormationClient({
    credentials,
    ...(globals.region ? { region: globals.region } : {}),
  });
  try {
    let region: string;
    try {
      region = await cloudFormation.config.region();
    } catch (error) {
      // The SDKs read AWS_REGION and the profile, not AWS_DEFAULT_REGION (that one is the AWS CLI's).
      throw new CliError(
        'no AWS region is configured: pass --region, set AWS_REGION, or give your profile a region (`aws configure`)',
        { cause: error },
      );
    }
    const outputs = await stackOutputs(cloudFormation, stackName);
    const description = `stack ${stackName} in ${region}`;
    return {
      kind: 'stack',
      description,
      region,
      credentials,
      outputs,
      apiUrl: requireOutput(outputs, 'ApiUrl', description),
    };
  } finally {
    cloudFormation.destroy();
  }
};

/** The connection to the deployment the command line points at: `--stack <name>`, or the local cloud. */
export const resolveConnection = async (globals: GlobalOptions, dataDir: string): Promise<Connection> =>
  globals.stack === undefined
    ? await localConnection(globals, dataDir)
    : await stackConnection(globals.stack, globals);

/** The deployment the command line points at: `--stack <name>`, or the local cloud. */
export const resolveTarget = async (globals: GlobalOptions, dataDir: string): Promise<DocflowTarget> =>
  targetOver(await resolveConnection(globals, dataDir));
