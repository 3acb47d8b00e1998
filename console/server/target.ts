import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { XRayClient } from '@aws-sdk/client-xray';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { MissingStackOutputError } from '../../local/deployment-file';

/**
 * The deployment the console shows: the local cloud (its endpoint and fixed local credentials) or a
 * deployed stack (AWS's endpoints and the user's credential chain). Only the server holds it.
 */
export interface ConsoleTarget {
  readonly kind: 'local' | 'stack';
  /** For the page header and messages: `the local cloud at http://127.0.0.1:4566`. */
  readonly description: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** The local cloud's one endpoint; undefined for AWS's own. */
  readonly endpoint?: string;
  /** The query API's base URL (the ApiUrl output). */
  readonly apiUrl: string;
  /** Stack outputs by name. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** An output the console needs, or a clear error naming it. */
export const targetOutput = (target: ConsoleTarget, name: string): string => {
  const value = target.outputs[name];
  if (!value) throw new MissingStackOutputError(`${target.description} has no ${name} output`);
  return value;
};

/** The AWS clients the console server calls, made once per target. */
export interface AwsClients {
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly xray: XRayClient;
  destroy(): void;
}

export const awsClientsFor = (target: ConsoleTarget): AwsClients => {
  const { region, credentials, endpoint } = target;
  const local = endpoint === undefined ? {} : { endpoint };
  const sfn = new SFNClient({ region, credentials, ...local });
  // Local queue URLs name a host that does not resolve; the endpoint is where requests go.
  const sqs = new SQSClient({ region, credentials, ...local, useQueueUrlAsEndpoint: endpoint === undefined });
  const xray = new XRayClient({ region, credentials, ...local });
  return {
    sfn,
    sqs,
    xray,
    destroy: () => {
      sfn.destroy();
      sqs.destroy();
      xray.destroy();
    },
  };
};
