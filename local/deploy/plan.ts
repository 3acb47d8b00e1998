import { join } from 'node:path';
import { ENTRY_METADATA_KEY } from '../../infra/keys';
import { IntrinsicResolver, referencedLogicalIds } from './intrinsics';
import { LOCAL_ACCOUNT_ID, ResourceIdentities, type StackEnvironment } from './physical-ids';
import { ACKNOWLEDGED_TYPES, RESOURCE_HANDLERS } from './resources/registry';
import { PlanContext, type ResolvedResource, type StepGroup } from './resources/resource-handler';
import type {
  AcknowledgedResource,
  DeploymentPlan,
  DeployStep,
  PlannedOutput,
  PlannedResource,
} from './steps';
import { type CfnResource, type CfnTemplate, describeLocation, TemplateError } from './template';

export interface PlanOptions {
  readonly stackName: string;
  readonly region: string;
  /** @default {@link LOCAL_ACCOUNT_ID} */
  readonly accountId?: string;
  /** The SQS endpoint clients use: queue URLs are built on it. */
  readonly queueEndpoint: string;
  /** Function entries in the template metadata are relative to this folder. */
  readonly projectRoot: string;
  /**
   * Where the functions' assets are: `asset.<hash>` folders, named by the template's S3 keys.
   * @default `<projectRoot>/cdk.out`, where `cdk synth` writes them
   */
  readonly assetDirectory?: string;
  /** File assets by S3 object key (a state machine's `DefinitionS3Location`). */
  readonly fileAssets?: Readonly<Record<string, string>>;
  /** Template parameter values. */
  readonly parameters?: Readonly<Record<string, string>>;
}

const PROVIDER_REASON = 'the provider of a custom resource the local deployer handles itself';

/** A custom resource type whose provider function the local deployer stands in for. */
const isProvidedCustomType = (type: string): boolean =>
  type.startsWith('Custom::') && (RESOURCE_HANDLERS.has(type) || ACKNOWLEDGED_TYPES[type] !== undefined);

const dependsOnOf = (resource: CfnResource): readonly string[] =>
  resource.DependsOn === undefined
    ? []
    : typeof resource.DependsOn === 'string'
      ? [resource.DependsOn]
      : resource.DependsOn;

/**
 * Orders resources so that each comes after what it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
 * `DependsOn`); among resources ready at once, template order wins.
 */
export const dependencyOrder = (template: CfnTemplate, included: readonly string[]): string[] => {
  const members = new Set(included);
  const dependencies = new Map<string, Set<string>>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId] as CfnResource;
    const on = referencedLogicalIds(template, resource.Properties ?? {});
    for (const name of dependsOnOf(resource)) {
      if (!Object.hasOwn(template.Resources, name)) {
        throw new TemplateError(
          `${describeLocation(template, logicalId)} DependsOn ${name}, which does not exist`,
        );
      }
      on.add(name);
    }
    dependencies.set(logicalId, new Set([...on].filter((name) => members.has(name) && name !== logicalId)));
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < included.length) {
    const next = included.find(
      (logicalId) =>
        !placed.has(logicalId) && [...(dependencies.get(logicalId) ?? [])].every((name) => placed.has(name)),
    );
    if (next === undefined) {
      const stuck = included.filter((logicalId) => !placed.has(logicalId));
      throw new TemplateError(`circular dependency between ${stuck.join(', ')}`);
    }
    order.push(next);
    placed.add(next);
  }
  return order;
};

/**
 * Turns a synthesized template into the ordered list of what to create locally. Every resource is
 * either deployed (by its type's handler in `resources/registry.ts`), acknowledged (an
 * {@link ACKNOWLEDGED_TYPES} type, or the provider function of a custom resource handled here), or a
 * {@link TemplateError} naming its type and logical id. Every value is resolved: no intrinsic is left
 * in the plan.
 */
export const planDeployment = (template: CfnTemplate, options: PlanOptions): DeploymentPlan => {
  const env: StackEnvironment = {
    stackName: options.stackName,
    region: options.region,
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    queueEndpoint: options.queueEndpoint,
  };
  const resolver = new IntrinsicResolver(template, env, {
    ...(options.parameters ? { parameters: options.parameters } : {}),
  });
  const identities = new ResourceIdentities(template, env, (logicalId, name) =>
    resolver.property(logicalId, name),
  );
  resolver.bind(identities);
  const included = Object.entries(template.Resources)
    .filter(([, resource]) => resolver.isIncluded(resource.Condition))
    .map(([logicalId]) => logicalId);
  const acknowledged = classify(template, included);
  const acknowledgedIds = new Set(acknowledged.map((resource) => resource.logicalId));
  const order = dependencyOrder(template, included).filter((id) => !acknowledgedIds.has(id));
  const context = new PlanContext({
    template,
    env,
    resolver,
    assetDirectory: options.assetDirectory ?? join(options.projectRoot, 'cdk.out'),
    fileAssets: options.fileAssets ?? {},
    included,
    order,
  });
  const resources: Record<string, PlannedResource> = {};
  for (const logicalId of order) {
    const identity = resolver.identity(logicalId);
    resources[logicalId] = {
      type: identity.type,
      physicalId: identity.physicalId,
      ref: identity.ref,
      ...(identity.arn === undefined ? {} : { arn: identity.arn }),
      ...(identity.url === undefined ? {} : { url: identity.url }),
    };
  }
  return {
    stackName: env.stackName,
    region: env.region,
    accountId: env.accountId,
    steps: planSteps(context),
    resources,
    acknowledged,
    outputs: planOutputs(template, resolver),
  };
};

/** Acknowledged resources; throws for a type that is neither handled nor acknowledged. */
const classify = (template: CfnTemplate, included: readonly string[]): AcknowledgedResource[] => {
  const providers = providerFunctions(template, included);
  const acknowledged: AcknowledgedResource[] = [];
  for (const logicalId of included) {
    const { Type: type, Metadata: metadata } = template.Resources[logicalId] as CfnResource;
    if (type === 'AWS::Lambda::Function' && metadata?.[ENTRY_METADATA_KEY] === undefined) {
      if (!providers.has(logicalId)) {
        throw new TemplateError(
          `${describeLocation(template, logicalId)} has no "${ENTRY_METADATA_KEY}" metadata: the local cloud cannot tell which TypeScript entry it runs (build functions with the DocflowFunction construct)`,
        );
      }
      acknowledged.push({ logicalId, type, reason: PROVIDER_REASON });
      continue;
    }
    if (RESOURCE_HANDLERS.has(type)) continue;
    const reason = ACKNOWLEDGED_TYPES[type];
    if (reason === undefined) {
      throw new TemplateError(
        `${logicalId} is of type ${type}, which the local cloud does not support: it would not exist locally. ` +
          'Support it with a handler in local/deploy/resources/ registered in its registry.ts, or acknowledge it there if it needs no local behaviour.',
      );
    }
    acknowledged.push({ logicalId, type, reason });
  }
  return acknowledged;
};

/** Functions that are only the `ServiceToken` of custom resources the deployer handles itself. */
const providerFunctions = (template: CfnTemplate, included: readonly string[]): Set<string> => {
  const tokens = new Set<string>();
  const others = new Set<string>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId] as CfnResource;
    if (isProvidedCustomType(resource.Type)) {
      for (const id of referencedLogicalIds(template, resource.Properties?.ServiceToken)) tokens.add(id);
      continue;
    }
    if (ACKNOWLEDGED_TYPES[resource.Type] !== undefined) continue;
    for (const id of referencedLogicalIds(template, resource.Properties ?? {})) others.add(id);
  }
  return new Set([...tokens].filter((id) => !others.has(id)));
};

/**
 * Each deployed resource's step in dependency order, from its type's handler. A group's step (a
 * bucket's notifications, a REST API's methods) comes once the last of its members is reached.
 */
const planSteps = (context: PlanContext): DeployStep[] => {
  const { order } = context.inputs;
  const handled = order.map((logicalId) => {
    const resource = context.resource(logicalId);
    const handler = RESOURCE_HANDLERS.get(resource.type);
    if (handler === undefined) throw new TemplateError(`no handler for ${resource.type}`);
    return { resource, handler };
  });
  const groups = new Map<string, { last: number; members: ResolvedResource[]; group: StepGroup }>();
  handled.forEach(({ resource, handler }, index) => {
    const group = handler.group?.(resource, context);
    if (group === undefined) return;
    const gathered = groups.get(group.key) ?? { last: index, members: [], group };
    gathered.last = index;
    gathered.members.push(resource);
    groups.set(group.key, gathered);
  });
  const steps: DeployStep[] = [];
  handled.forEach(({ resource, handler }, index) => {
    const step = handler.plan(resource, steps, context);
    if (step) steps.push(step);
    for (const { last, members, group } of groups.values()) {
      if (last === index) steps.push(group.build(members));
    }
  });
  return steps;
};

const planOutputs = (template: CfnTemplate, resolver: IntrinsicResolver): Record<string, PlannedOutput> => {
  const outputs: Record<string, PlannedOutput> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (!resolver.isIncluded(output.Condition)) continue;
    const at = { owner: `Outputs.${name}`, path: ['Value'] };
    const value = resolver.resolve(output.Value, at);
    outputs[name] = {
      value: Array.isArray(value) ? value.map(String).join(',') : resolver.resolveString(value, at),
      ...(output.Description === undefined ? {} : { description: output.Description }),
    };
  }
  return outputs;
};
