import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import type { Deployment } from '../deploy/apply';
import { type RequestHandler, RequestTooLargeError, readRequestBody } from '../http/proxy';

/** The Query protocol's namespace and API version of CloudFormation. */
const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
/** Query requests are a few form fields: a larger body is not a CloudFormation call. */
const MAX_BODY_BYTES = 64 * 1024;

const OPERATIONS = ['DescribeStacks', 'ListStacks', 'ListStackResources', 'DescribeStackResources'] as const;
type Operation = (typeof OPERATIONS)[number];
const isOperation = (action: string): action is Operation =>
  (OPERATIONS as readonly string[]).includes(action);

/** An error as CloudFormation's Query protocol answers it. */
class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

const xml = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

/** Query-protocol lists are `<member>` elements. */
const members = <T>(items: readonly T[]): { member: T[] } | '' =>
  items.length > 0 ? { member: [...items] } : '';

/** The stack as the local cloud deployed it, and when. */
interface DeployedStack {
  readonly deployment: Deployment;
  readonly stackId: string;
  readonly deployedAt: Date;
}

/**
 * The part of CloudFormation the CLI and the console read: DescribeStacks (outputs), ListStacks and the
 * stack's resources, answered from the deployment the local cloud made of the synthesized template,
 * over the Query protocol (form-encoded `Action=…`, XML replies) the SDK speaks. Nothing is deployed
 * through it: the local cloud deploys the template itself.
 */
export class LocalCloudFormation {
  #stack: DeployedStack | undefined;

  /** Makes the deployment visible as a CREATE_COMPLETE stack. */
  publish(deployment: Deployment, deployedAt = new Date()): void {
    this.#stack = {
      deployment,
      // A stable id per stack name, as a redeploy of the same stack keeps its id.
      stackId: `arn:aws:cloudformation:${deployment.region}:${deployment.accountId}:stack/${deployment.stackName}/${stableUuid(deployment.stackName)}`,
      deployedAt,
    };
  }

  readonly handler: RequestHandler = (request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else
        sendError(
          response,
          new QueryError('InternalFailure', `the local CloudFormation failed: ${String(error)}`, 500),
        );
    });
  };

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let params: URLSearchParams;
    try {
      const body =
        request.method === 'POST' ? await readRequestBody(request, MAX_BODY_BYTES) : Buffer.alloc(0);
      params = new URLSearchParams(body.toString('utf8'));
      // The Query protocol may also carry its parameters in the URL.
      for (const [name, value] of new URL(request.url ?? '/', 'http://local').searchParams)
        params.append(name, value);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        sendError(response, new QueryError('ValidationError', 'the request body is too large'));
        return;
      }
      throw error;
    }
    const action = params.get('Action') ?? '';
    if (!isOperation(action)) {
      sendError(
        response,
        new QueryError(
          'InvalidAction',
          `The local cloud's CloudFormation does not answer "${action}" (it answers ${OPERATIONS.join(', ')})`,
        ),
      );
      return;
    }
    try {
      send(response, action, this.#call(action, params));
    } catch (error) {
      if (error instanceof QueryError) sendError(response, error);
      else throw error;
    }
  }

  #call(action: Operation, params: URLSearchParams): Record<string, unknown> {
    switch (action) {
      case 'DescribeStacks': {
        const name = params.get('StackName');
        const stacks = name === null ? this.#stacks() : [this.#require(name)];
        return { Stacks: members(stacks.map(describe)) };
      }
      case 'ListStacks':
        return { StackSummaries: members(this.#stacks().map(summarize)) };
      case 'ListStackResources': {
        const stack = this.#require(params.get('StackName') ?? '');
        return { StackResourceSummaries: members(resourcesOf(stack)) };
      }
      case 'DescribeStackResources': {
        const stack = this.#require(params.get('StackName') ?? '');
        const logicalId = params.get('LogicalResourceId');
        const resources = resourcesOf(stack).filter(
          (resource) => logicalId === null || resource.LogicalResourceId === logicalId,
        );
        return {
          StackResources: members(
            resources.map(({ LastUpdatedTimestamp, ...resource }) => ({
              ...resource,
              StackName: stack.deployment.stackName,
              StackId: stack.stackId,
              Timestamp: LastUpdatedTimestamp,
            })),
          ),
        };
      }
    }
  }

  #stacks(): DeployedStack[] {
    return this.#stack ? [this.#stack] : [];
  }

  /** A stack by name or id; CloudFormation answers an unknown one with this ValidationError. */
  #require(nameOrId: string): DeployedStack {
    const stack = this.#stack;
    if (stack && (nameOrId === stack.deployment.stackName || nameOrId === stack.stackId)) return stack;
    throw new QueryError('ValidationError', `Stack with id ${nameOrId} does not exist`);
  }
}

const describe = (stack: DeployedStack) => ({
  StackId: stack.stackId,
  StackName: stack.deployment.stackName,
  CreationTime: stack.deployedAt.toISOString(),
  StackStatus: 'CREATE_COMPLETE',
  Description: 'Deployed by the docflow local cloud from the synthesized template',
  Outputs: members(
    Object.entries(stack.deployment.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  ),
});

const summarize = (stack: DeployedStack) => ({
  StackId: stack.stackId,
  StackName: stack.deployment.stackName,
  CreationTime: stack.deployedAt.toISOString(),
  StackStatus: 'CREATE_COMPLETE',
});

const resourcesOf = (stack: DeployedStack) =>
  Object.entries(stack.deployment.resources).map(([LogicalResourceId, resource]) => ({
    LogicalResourceId,
    PhysicalResourceId: resource.physicalId,
    ResourceType: resource.type,
    ResourceStatus: 'CREATE_COMPLETE',
    LastUpdatedTimestamp: stack.deployedAt.toISOString(),
  }));

const send = (response: ServerResponse, action: Operation, result: Record<string, unknown>): void => {
  const body = xml.build({
    [`${action}Response`]: {
      '@_xmlns': NAMESPACE,
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId: randomUUID() },
    },
  }) as string;
  response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

const sendError = (response: ServerResponse, error: QueryError): void => {
  const body = xml.build({
    ErrorResponse: {
      '@_xmlns': NAMESPACE,
      Error: { Type: error.status >= 500 ? 'Receiver' : 'Sender', Code: error.code, Message: error.message },
      RequestId: randomUUID(),
    },
  }) as string;
  response.writeHead(error.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

/** A UUID-shaped id derived from a name, so the stack id stays the same across restarts. */
const stableUuid = (name: string): string => {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};
