import {
  PARTITION,
  type ResourceIdentities,
  type ResourceIdentity,
  type StackEnvironment,
  stableToken,
  URL_SUFFIX,
} from './physical-ids';
import { type CfnTemplate, describeLocation, TemplateError } from './template';

/** `Ref: AWS::NoValue`: the property or list element is left out. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** The intrinsic functions the resolver evaluates. Any other `Fn::` key is an error naming it. */
export const SUPPORTED_INTRINSICS = [
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Base64',
] as const;

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The single key of an intrinsic function object (`{ "Fn::Join": … }`), or undefined for plain data. */
const intrinsicKey = (value: Record<string, unknown>): string | undefined => {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === 'Ref' || key.startsWith('Fn::') || key === 'Condition' ? key : undefined;
};

/** Where a value sits: the owner (a resource's logical id, or `Outputs.<name>`) and the path inside it. */
export interface ValueLocation {
  readonly owner: string;
  readonly path: readonly (string | number)[];
}

/** A `${…}` placeholder of `Fn::Sub`; `${!Literal}` is the escaped literal `${Literal}`. */
const SUB_PLACEHOLDER = /\$\{([^}]*)\}/g;

export interface ResolverOptions {
  /** Values of template parameters; a parameter without one takes its `Default`. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * Evaluates CloudFormation intrinsic functions against the local stack: `Ref` and `Fn::GetAtt` give the
 * identities the local deployment uses, pseudo parameters give the local account and configured
 * region. Conditions are evaluated once each.
 */
export class IntrinsicResolver {
  readonly #template: CfnTemplate;
  readonly #env: StackEnvironment;
  readonly #parameters: Readonly<Record<string, string>>;
  #identities: ResourceIdentities | undefined;
  readonly #conditions = new Map<string, boolean>();
  readonly #evaluating = new Set<string>();

  constructor(template: CfnTemplate, env: StackEnvironment, options: ResolverOptions = {}) {
    this.#template = template;
    this.#env = env;
    this.#parameters = options.parameters ?? {};
  }

  /** Connects the identities `Ref` and `Fn::GetAtt` read (they in turn resolve explicit names here). */
  bind(identities: ResourceIdentities): void {
    this.#identities = identities;
  }

  get #ids(): ResourceIdentities {
    if (!this.#identities) throw new Error('the resolver has no resource identities bound');
    return this.#identities;
  }

  /** The identity of a resource, as `Ref`/`Fn::GetAtt` see it. */
  identity(logicalId: string): ResourceIdentity {
    return this.#ids.of(logicalId);
  }

  /** One resolved property of a resource; undefined when absent or `AWS::NoValue`. */
  property(logicalId: string, name: string): unknown {
    const value = this.#template.Resources[logicalId]?.Properties?.[name];
    if (value === undefined) return undefined;
    return this.resolve(value, { owner: logicalId, path: ['Properties', name] });
  }

  /** Whether a resource or output with this `Condition` exists in the stack. */
  isIncluded(condition: string | undefined): boolean {
    return condition === undefined || this.condition(condition);
  }

  /** The value of a named condition of the template's `Conditions` section. */
  condition(name: string): boolean {
    const known = this.#conditions.get(name);
    if (known !== undefined) return known;
    const definition = this.#template.Conditions?.[name];
    if (definition === undefined) throw new TemplateError(`the template has no condition ${name}`);
    if (this.#evaluating.has(name)) throw new TemplateError(`condition ${name} refers back to itself`);
    this.#evaluating.add(name);
    try {
      const value = this.#evaluateCondition(definition, { owner: `Conditions.${name}`, path: [] });
      this.#conditions.set(name, value);
      return value;
    } finally {
      this.#evaluating.delete(name);
    }
  }

  /**
   * Replaces every intrinsic in `value` by its result. Properties and list elements that resolve to
   * `AWS::NoValue` are left out; a top-level `AWS::NoValue` is undefined.
   */
  resolve(value: unknown, at: ValueLocation): unknown {
    const resolved = this.#resolve(value, at);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** {@link resolve}, for a value that must be a string (numbers and booleans are written as CloudFormation does). */
  resolveString(value: unknown, at: ValueLocation): string {
    const resolved = this.resolve(value, at);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw this.#error(at, `must be a string, got ${JSON.stringify(resolved)}`);
  }

  #error(at: ValueLocation, message: string): TemplateError {
    const where = this.#template.Resources[at.owner]
      ? describeLocation(this.#template, at.owner, at.path)
      : [at.owner, ...at.path].join('.');
    return new TemplateError(`${where}: ${message}`);
  }

  #resolve(value: unknown, at: ValueLocation): unknown {
    if (Array.isArray(value)) {
      return value
        .map((element, index) => this.#resolve(element, { owner: at.owner, path: [...at.path, index] }))
        .filter((element) => element !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const key = intrinsicKey(value);
    if (key === undefined) {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(value)) {
        const resolved = this.#resolve(child, { owner: at.owner, path: [...at.path, name] });
        if (resolved !== NO_VALUE) out[name] = resolved;
      }
      return out;
    }
    const argument = value[key];
    const inner: ValueLocation = { owner: at.owner, path: [...at.path, key] };
    switch (key) {
      case 'Ref':
        return this.#ref(argument, inner);
      case 'Fn::GetAtt':
        return this.#getAtt(argument, inner);
      case 'Fn::Join':
        return this.#join(argument, inner);
      case 'Fn::Sub':
        return this.#sub(argument, inner);
      case 'Fn::Select':
        return this.#select(argument, inner);
      case 'Fn::Split': {
        const [delimiter, source] = this.#pair(argument, inner, 'Fn::Split');
        return this.#string(source, inner, 1).split(this.#string(delimiter, inner, 0));
      }
      case 'Fn::If': {
        if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
          throw this.#error(inner, 'Fn::If takes [condition name, value if true, value if false]');
        }
        const branch = this.condition(argument[0]) ? 1 : 2;
        return this.#resolve(argument[branch], { owner: at.owner, path: [...inner.path, branch] });
      }
      case 'Fn::FindInMap':
        return this.#findInMap(argument, inner);
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.#env.region}${zone}`);
      case 'Fn::Base64':
        return Buffer.from(this.#string(argument, inner), 'utf8').toString('base64');
      default:
        if (CONDITION_FUNCTIONS.has(key)) return this.#evaluateCondition(value, at);
        throw this.#error(
          at,
          `the local cloud does not support the intrinsic function ${key} (it supports ${SUPPORTED_INTRINSICS.join(', ')})`,
        );
    }
  }

  #string(value: unknown, at: ValueLocation, index?: number): string {
    const location = index === undefined ? at : { owner: at.owner, path: [...at.path, index] };
    return this.resolveString(value, location);
  }

  #pair(argument: unknown, at: ValueLocation, name: string): [unknown, unknown] {
    if (!Array.isArray(argument) || argument.length !== 2) {
      throw this.#error(at, `${name} takes a list of two values`);
    }
    return [argument[0], argument[1]];
  }

  #ref(argument: unknown, at: ValueLocation): unknown {
    if (typeof argument !== 'string') throw this.#error(at, 'Ref takes a name');
    const pseudo = this.#pseudo(argument);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.#template.Parameters?.[argument];
    if (parameter) return this.#parameter(argument, at);
    if (!this.#template.Resources[argument]) {
      throw this.#error(at, `Ref ${argument}: the template has no resource or parameter of that name`);
    }
    return this.#ids.of(argument).ref;
  }

  #pseudo(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.#env.region;
      case 'AWS::AccountId':
        return this.#env.accountId;
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::URLSuffix':
        return URL_SUFFIX;
      case 'AWS::StackName':
        return this.#env.stackName;
      case 'AWS::StackId':
        return `arn:${PARTITION}:cloudformation:${this.#env.region}:${this.#env.accountId}:stack/${this.#env.stackName}/${stableToken(this.#env.stackName, 32).toLowerCase()}`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  #parameter(name: string, at: ValueLocation): unknown {
    const parameter = this.#template.Parameters?.[name];
    const given = this.#parameters[name];
    const type = parameter?.Type ?? 'String';
    if (given === undefined && type.startsWith('AWS::SSM::Parameter::')) {
      throw this.#error(
        at,
        `Ref ${name}: the parameter is read from SSM Parameter Store (${type}), which the local cloud does not have; give it a value`,
      );
    }
    const value = given ?? parameter?.Default;
    if (value === undefined) throw this.#error(at, `Ref ${name}: the parameter has no value and no Default`);
    const text = Array.isArray(value) ? value.join(',') : String(value);
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? text.split(',') : text;
  }

  #getAtt(argument: unknown, at: ValueLocation): unknown {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      [logicalId, attribute] = dot < 0 ? [argument, ''] : [argument.slice(0, dot), argument.slice(dot + 1)];
    } else if (Array.isArray(argument) && argument.length === 2) {
      logicalId = argument[0];
      attribute = this.#resolve(argument[1], { owner: at.owner, path: [...at.path, 1] });
    }
    if (typeof logicalId !== 'string' || typeof attribute !== 'string' || attribute === '') {
      throw this.#error(at, 'Fn::GetAtt takes [logical id, attribute name]');
    }
    if (!this.#template.Resources[logicalId]) {
      throw this.#error(
        at,
        `Fn::GetAtt ${logicalId}.${attribute}: the template has no resource ${logicalId}`,
      );
    }
    try {
      return this.#ids.attribute(logicalId, attribute);
    } catch (error) {
      if (error instanceof TemplateError) throw this.#error(at, error.message);
      throw error;
    }
  }

  #join(argument: unknown, at: ValueLocation): string {
    const [delimiter, list] = this.#pair(argument, at, 'Fn::Join');
    const separator = this.#string(delimiter, at, 0);
    const values = this.#resolve(list, { owner: at.owner, path: [...at.path, 1] });
    if (!Array.isArray(values)) throw this.#error(at, 'Fn::Join takes a list of values to join');
    return values
      .map((element, index) => {
        if (typeof element === 'string') return element;
        if (typeof element === 'number' || typeof element === 'boolean') return String(element);
        throw this.#error(
          { owner: at.owner, path: [...at.path, 1, index] },
          `Fn::Join can only join strings, got ${JSON.stringify(element)}`,
        );
      })
      .join(separator);
  }

  #sub(argument: unknown, at: ValueLocation): string {
    let text: unknown = argument;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(argument)) {
      const [source, map] = this.#pair(argument, at, 'Fn::Sub');
      if (!isRecord(map)) throw this.#error(at, 'Fn::Sub takes [string, { variable: value }]');
      text = source;
      variables = map;
    }
    if (typeof text !== 'string') throw this.#error(at, 'Fn::Sub takes a string');
    return text.replace(SUB_PLACEHOLDER, (placeholder, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (Object.hasOwn(variables, name)) {
        return this.#string(variables[name], { owner: at.owner, path: [...at.path, 1, name] });
      }
      const dot = name.indexOf('.');
      const value =
        dot < 0 || name.startsWith('AWS::')
          ? this.#ref(name, at)
          : this.#getAtt([name.slice(0, dot), name.slice(dot + 1)], at);
      if (typeof value !== 'string') {
        throw this.#error(at, `Fn::Sub ${placeholder} does not resolve to a string`);
      }
      return value;
    });
  }

  #select(argument: unknown, at: ValueLocation): unknown {
    const [index, list] = this.#pair(argument, at, 'Fn::Select');
    const position = Number(this.#resolve(index, { owner: at.owner, path: [...at.path, 0] }));
    const values = this.#resolve(list, { owner: at.owner, path: [...at.path, 1] });
    if (!Array.isArray(values)) throw this.#error(at, 'Fn::Select takes a list to select from');
    if (!Number.isInteger(position) || position < 0 || position >= values.length) {
      throw this.#error(at, `Fn::Select index ${position} is outside the list of ${values.length}`);
    }
    return values[position];
  }

  #findInMap(argument: unknown, at: ValueLocation): unknown {
    if (!Array.isArray(argument) || argument.length !== 3) {
      throw this.#error(at, 'Fn::FindInMap takes [map, top-level key, second-level key]');
    }
    const [mapName, topKey, secondKey] = argument.map((part, index) => this.#string(part, at, index)) as [
      string,
      string,
      string,
    ];
    const value = this.#template.Mappings?.[mapName]?.[topKey]?.[secondKey];
    if (value === undefined) {
      throw this.#error(at, `Fn::FindInMap: mapping ${mapName} has no ${topKey}.${secondKey}`);
    }
    return value;
  }

  #evaluateCondition(value: unknown, at: ValueLocation): boolean {
    if (typeof value === 'boolean') return value;
    if (!isRecord(value)) throw this.#error(at, `not a condition: ${JSON.stringify(value)}`);
    const key = intrinsicKey(value);
    const argument = key === undefined ? undefined : value[key];
    const inner: ValueLocation = { owner: at.owner, path: [...at.path, key ?? '?'] };
    const operands = (): unknown[] => {
      if (!Array.isArray(argument)) throw this.#error(inner, `${key} takes a list`);
      return argument;
    };
    switch (key) {
      case 'Condition':
        if (typeof argument !== 'string') throw this.#error(inner, 'Condition takes a condition name');
        return this.condition(argument);
      case 'Fn::Equals': {
        const [left, right] = this.#pair(argument, inner, 'Fn::Equals').map((side, index) =>
          this.resolve(side, { owner: inner.owner, path: [...inner.path, index] }),
        );
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::And':
        return operands().every((operand, index) =>
          this.#evaluateCondition(operand, { owner: inner.owner, path: [...inner.path, index] }),
        );
      case 'Fn::Or':
        return operands().some((operand, index) =>
          this.#evaluateCondition(operand, { owner: inner.owner, path: [...inner.path, index] }),
        );
      case 'Fn::Not': {
        const [operand] = operands();
        return !this.#evaluateCondition(operand, { owner: inner.owner, path: [...inner.path, 0] });
      }
      default:
        throw this.#error(at, `${key ?? 'this value'} is not a condition function`);
    }
  }
}

/**
 * The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${…}` of `Fn::Sub`), pseudo parameters and
 * template parameters excluded. Both branches of an `Fn::If` count: the order must hold either way.
 */
export const referencedLogicalIds = (template: CfnTemplate, value: unknown): Set<string> => {
  const found = new Set<string>();
  const isResource = (name: string) => Object.hasOwn(template.Resources, name);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const element of node) visit(element);
      return;
    }
    if (!isRecord(node)) return;
    const key = intrinsicKey(node);
    const argument = key === undefined ? undefined : node[key];
    if (key === 'Ref' && typeof argument === 'string' && isResource(argument)) found.add(argument);
    else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(argument) ? argument[0] : String(argument).split('.')[0];
      if (typeof target === 'string' && isResource(target)) found.add(target);
      if (Array.isArray(argument)) visit(argument[1]);
    } else if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
      if (typeof text === 'string') {
        for (const match of text.matchAll(SUB_PLACEHOLDER)) {
          const name = match[1] ?? '';
          if (name.startsWith('!') || (isRecord(variables) && Object.hasOwn(variables, name))) continue;
          const target = name.split('.')[0] ?? '';
          if (isResource(target)) found.add(target);
        }
      }
      visit(variables);
    } else {
      for (const child of Object.values(node)) visit(child);
    }
  };
  visit(value);
  return found;
};
