import type { ApiRoute, ApiStep } from '../steps';
import {
  asPlanned,
  isRecord,
  isTrue,
  NO_PERMISSIONS,
  type PlanContext,
  type ResolvedResource,
  type ResourceHandler,
  type StepGroup,
} from './resource-handler';

const REST_API = 'AWS::ApiGateway::RestApi';

/** Paths of the API's resources by resource id, from each one's parent and path part. */
const pathResolver = (restApi: ResolvedResource, members: readonly ResolvedResource[]) => {
  const root = restApi.identity.attributes.RootResourceId ?? '';
  const resources = new Map(
    members
      .filter((member) => member.type === 'AWS::ApiGateway::Resource')
      .map(
        (member) =>
          [
            member.identity.ref,
            { parent: member.string('ParentId') ?? '', part: member.string('PathPart') ?? '' },
          ] as const,
      ),
  );
  const pathOf = (resourceId: string, seen: Set<string> = new Set()): string => {
    if (resourceId === root) return '/';
    const resource = resources.get(resourceId);
    if (!resource || seen.has(resourceId)) {
      throw restApi.error([], `resource ${resourceId} is not part of the API`);
    }
    seen.add(resourceId);
    const parent = pathOf(resource.parent, seen);
    return `${parent === '/' ? '' : parent}/${resource.part}`;
  };
  return pathOf;
};

const route = (
  method: ResolvedResource,
  path: string,
  validators: ReadonlyMap<string, ResolvedResource>,
  functions: ReadonlyMap<string, ResolvedResource>,
): ApiRoute => {
  const integration = method.property('Integration');
  const at = ['Properties', 'Integration'];
  if (!isRecord(integration) || integration.Type !== 'AWS_PROXY') {
    throw method.error(
      at,
      `integration type ${isRecord(integration) ? String(integration.Type) : 'none'} is not supported locally (only Lambda proxy, AWS_PROXY)`,
    );
  }
  const uri = String(integration.Uri);
  const functionArn = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
  const fn = functionArn === undefined ? undefined : functions.get(functionArn);
  if (functionArn === undefined || fn === undefined) {
    throw method.error([...at, 'Uri'], `${uri} does not invoke a function of this template`);
  }
  const validatorId = method.string('RequestValidatorId');
  const validator = validatorId === undefined ? undefined : validators.get(validatorId);
  if (validatorId !== undefined && validator === undefined) {
    throw method.error(
      ['Properties', 'RequestValidatorId'],
      `${validatorId} is not a validator of this template`,
    );
  }
  const parameters = method.property('RequestParameters');
  return {
    logicalId: method.logicalId,
    httpMethod: (method.string('HttpMethod') ?? '').toUpperCase(),
    path,
    functionLogicalId: fn.logicalId,
    functionName: fn.name,
    functionArn,
    authorizationType: method.string('AuthorizationType') ?? 'NONE',
    requestParameters: isRecord(parameters)
      ? Object.fromEntries(Object.entries(parameters).map(([name, required]) => [name, isTrue(required)]))
      : {},
    validateRequestParameters:
      validator !== undefined && isTrue(validator.property('ValidateRequestParameters')),
    validateRequestBody: validator !== undefined && isTrue(validator.property('ValidateRequestBody')),
  };
};

/** The API's stage names, and those with X-Ray tracing, from its stages and deployments. */
const stagesOf = (restApi: ResolvedResource, context: PlanContext) => {
  const stages = context
    .ofType(['AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment'])
    .filter((stage) => stage.string('RestApiId') === restApi.identity.ref);
  const names = (of: readonly ResolvedResource[]) => [
    ...new Set(
      of.map((stage) => stage.string('StageName')).filter((name): name is string => name !== undefined),
    ),
  ];
  return {
    stageNames: names(stages),
    tracedStageNames: names(stages.filter((stage) => isTrue(stage.property('TracingEnabled')))),
  };
};

const api = (
  restApi: ResolvedResource,
  members: readonly ResolvedResource[],
  context: PlanContext,
): ApiStep => {
  for (const property of ['Body', 'BodyS3Location']) {
    if (restApi.raw.Properties?.[property] !== undefined) {
      throw restApi.error(
        ['Properties', property],
        'an imported OpenAPI definition is not supported locally',
      );
    }
  }
  const pathOf = pathResolver(restApi, members);
  const validators = new Map(
    context
      .ofType('AWS::ApiGateway::RequestValidator')
      .map((validator) => [validator.identity.ref, validator] as const),
  );
  const functions = new Map(
    context.ofType('AWS::Lambda::Function', context.inputs.order).map((fn) => [fn.arn, fn] as const),
  );
  const routes = members
    .filter((member) => member.type === 'AWS::ApiGateway::Method')
    .map((method) => route(method, pathOf(method.string('ResourceId') ?? ''), validators, functions));
  return {
    kind: 'api',
    logicalId: restApi.logicalId,
    restApiId: restApi.identity.ref,
    name: restApi.string('Name') ?? restApi.logicalId,
    ...stagesOf(restApi, context),
    routes,
    sources: members
      .filter((member) => member.logicalId !== restApi.logicalId)
      .map((member) => member.logicalId),
    notes: restApi.notes(['Name'], {
      EndpointConfiguration: 'the local API listens on this machine only',
      Policy: NO_PERMISSIONS,
    }),
  };
};

/** The REST API a resource or method belongs to, by its `RestApiId`. */
const restApiOf = (resource: ResolvedResource, context: PlanContext): ResolvedResource => {
  if (resource.type === REST_API) return resource;
  const restApiId = resource.resolveString(resource.raw.Properties?.RestApiId, 'RestApiId');
  const restApi = context
    .ofType(REST_API, context.inputs.order)
    .find((candidate) => candidate.identity.ref === restApiId);
  if (restApi === undefined) {
    throw resource.error(['Properties', 'RestApiId'], 'is not a REST API of this template');
  }
  return restApi;
};

/**
 * REST APIs with Lambda proxy methods: an API, its resources and its methods make one step, a route
 * table; its stages, deployments and request validators are read into it.
 */
export const apiGatewayHandler: ResourceHandler = {
  types: [REST_API, 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method'],
  plan: () => undefined,
  deploy: {
    api: asPlanned((step, targets) => targets.addApiRoutes(step)),
  },
  group: (resource, context): StepGroup => {
    const restApi = restApiOf(resource, context);
    return {
      key: `api:${restApi.logicalId}`,
      build: (members) => api(restApi, members, context),
    };
  },
};
