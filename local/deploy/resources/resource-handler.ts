import type { Awaitable, DeployedResource, LocalTargets } from '../apply';
import type { IntrinsicResolver } from '../intrinsics';
import type { ResourceIdentity, StackEnvironment } from '../physical-ids';
import type { DeployStep } from '../steps';
import { type CfnResource, type CfnTemplate, describeLocation, TemplateError } from '../template';

/** Why the local cloud deploys nothing for an IAM setting. */
export const NO_PERMISSIONS = 'the local cloud does not check permissions';

/** Why the local cloud deploys nothing for a logging or monitoring setting. */
export const NO_CLOUDWATCH = 'the local cloud has no CloudWatch: functions log to its output';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A property CloudFormation takes as one value or a list of them, as a list. */
export const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** CloudFormation booleans come as `true` or `"true"`. */
export const isTrue = (value: unknown): boolean => value === true || value === 'true';

/** A policy given as an object or as its JSON text. */
export const parseJsonish = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

/** What a plan is made from, shared by every resource handler. */
export interface PlanInputs {
  readonly template: CfnTemplate;
  readonly env: StackEnvironment;
  readonly resolver: IntrinsicResolver;
  /** Where the functions' `asset.<hash>` folders are. */
  readonly assetDirectory: string;
  /** File assets by S3 object key (a state machine's `DefinitionS3Location`). */
  readonly fileAssets: Readonly<Record<string, string>>;
  /** Every resource whose condition holds, in template order. */
  readonly included: readonly string[];
  /** The deployed resources in dependency order: each after what it refers to. */
  readonly order: readonly string[];
}

/**
 * One resource of the template as a handler plans it: its properties with every intrinsic resolved,
 * and errors and notes that name it and the property at fault.
 */
export class ResolvedResource {
  readonly logicalId: string;
  readonly #inputs: PlanInputs;

  constructor(inputs: PlanInputs, logicalId: string) {
    if (!inputs.template.Resources[logicalId]) {
      throw new TemplateError(`the template has no resource ${logicalId}`);
    }
    this.#inputs = inputs;
    this.logicalId = logicalId;
  }

  /** The resource as the template holds it, intrinsics unresolved. */
  get raw(): CfnResource {
    return this.#inputs.template.Resources[this.logicalId] as CfnResource;
  }

  get type(): string {
    return this.raw.Type;
  }

  get identity(): ResourceIdentity {
    return this.#inputs.resolver.identity(this.logicalId);
  }

  /** Its physical name. */
  get name(): string {
    return this.identity.physicalId;
  }

  get arn(): string {
    return this.identity.arn ?? '';
  }

  /** The fields that name the resource in the step of a function, a secret or a state machine. */
  get names(): { readonly logicalId: string; readonly name: string; readonly arn: string } {
    return { logicalId: this.logicalId, name: this.name, arn: this.arn };
  }

  /** A property, every intrinsic resolved. */
  property(name: string): unknown {
    return this.#inputs.resolver.property(this.logicalId, name);
  }

  /** A value found inside a property, resolved to a string; `path` is where it sits under Properties. */
  resolveString(value: unknown, ...path: (string | number)[]): string {
    return this.#inputs.resolver.resolveString(value, {
      owner: this.logicalId,
      path: ['Properties', ...path],
    });
  }

  string(name: string): string | undefined {
    const value = this.property(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.error(['Properties', name], 'must be a string');
  }

  /** A number given as a number or its text; `name` says where it is in errors. */
  number(name: string, value: unknown = this.property(name)): number | undefined {
    if (value === undefined) return undefined;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw this.error(['Properties', name], `must be a number, got ${JSON.stringify(value)}`);
    }
    return number;
  }

  /** The string properties of `names` that are present, as an API's attribute map takes them. */
  stringAttributes(names: readonly string[]): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (const name of names) {
      const value = this.string(name);
      if (value !== undefined) attributes[name] = value;
    }
    return attributes;
  }

  error(path: readonly (string | number)[], message: string): TemplateError {
    return new TemplateError(`${describeLocation(this.#inputs.template, this.logicalId, path)}: ${message}`);
  }

  /** Notes for the properties present that the step does not carry, then `extra`. */
  notes(
    carried: readonly string[],
    reasons: Readonly<Record<string, string>> = {},
    extra: readonly string[] = [],
  ): string[] {
    const ignored = Object.keys(this.raw.Properties ?? {}).filter(
      (name) => !carried.includes(name) && !['Tags', 'Description'].includes(name),
    );
    return [
      ...ignored.map(
        (name) => `${name} is not applied locally: ${reasons[name] ?? 'it has no local behaviour'}`,
      ),
      ...extra,
    ];
  }
}

/** The template as every handler sees it while a plan is made. */
export class PlanContext {
  readonly inputs: PlanInputs;

  constructor(inputs: PlanInputs) {
    this.inputs = inputs;
  }

  resource(logicalId: string): ResolvedResource {
    return new ResolvedResource(this.inputs, logicalId);
  }

  /** The resources of these types among `among` (every included one by default), in that order. */
  ofType(
    types: string | readonly string[],
    among: readonly string[] = this.inputs.included,
  ): ResolvedResource[] {
    const wanted = new Set(typeof types === 'string' ? [types] : types);
    return among
      .filter((logicalId) => wanted.has(this.inputs.template.Resources[logicalId]?.Type ?? ''))
      .map((logicalId) => this.resource(logicalId));
  }
}

/**
 * Resources gathered into one step (a bucket's notifications, a REST API's methods): the step is
 * built once the last of its members is reached in dependency order.
 */
export interface StepGroup {
  /** Members with the same key make one step. */
  readonly key: string;
  build(members: readonly ResolvedResource[]): DeployStep;
}

/** A step was carried out but the service answered with another identity than the template's. */
export class DeploymentMismatchError extends Error {
  override readonly name = 'DeploymentMismatchError';
}

/** The error for a service that answered with `actual` where the plan resolved every reference to `planned`. */
export const mismatch = (step: DeployStep, what: string, planned: string, actual: string) =>
  new DeploymentMismatchError(
    `${step.logicalId}: the local service answered with ${what} ${actual}, the template expects ${planned}`,
  );

/** A step of one kind. */
export type StepOf<K extends DeployStep['kind']> = Extract<DeployStep, { kind: K }>;

/**
 * Carries out a step on the local services. Answers with the deployed resource when the service names
 * it otherwise than the plan could (a subscription's ARN, a secret's random suffix); throws
 * {@link DeploymentMismatchError} when the service answers with another identity than the plan's.
 */
export type StepDeployer<K extends DeployStep['kind']> = (
  step: StepOf<K>,
  targets: LocalTargets,
) => Promise<DeployedResource | undefined>;

/**
 * The deployer of a step that the service carries out as planned, answering with nothing the plan must
 * check (a bucket, a table, a function): the call is the whole deployment.
 */
export const asPlanned =
  <K extends DeployStep['kind']>(
    call: (step: StepOf<K>, targets: LocalTargets) => Awaitable<void>,
  ): StepDeployer<K> =>
  async (step, targets) => {
    await call(step, targets);
    return undefined;
  };

/**
 * How the local cloud deploys a family of CloudFormation types: plans its resources' steps and carries
 * them out. Register it in `registry.ts`; the planner asks it for each resource of its `types`, in
 * dependency order, and `applyPlan` hands it each step of its kinds.
 */
export interface ResourceHandler {
  readonly types: readonly string[];
  /**
   * The resource's own step, given the steps planned before it (what it refers to is among them);
   * none for a resource that only joins a group.
   */
  plan(
    resource: ResolvedResource,
    earlier: readonly DeployStep[],
    context: PlanContext,
  ): DeployStep | undefined;
  /** The group whose step the resource joins, if any. */
  group?(resource: ResolvedResource, context: PlanContext): StepGroup | undefined;
  /** How each kind of step it plans is deployed. */
  readonly deploy: { readonly [K in DeployStep['kind']]?: StepDeployer<K> };
}
