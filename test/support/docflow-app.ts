import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  buildDocflowApp,
  readCdkJsonContext as cdkJsonContext,
  type DocflowApp,
  SKIP_BUNDLING_CONTEXT as SKIP_BUNDLING,
} from '../../infra/build-app';
import type { DocflowFunction } from '../../infra/constructs/docflow-function';

export { cdkJsonContext, SKIP_BUNDLING };

export interface BuildOptions {
  /** Context on top of cdk.json's. */
  readonly context?: Record<string, unknown>;
  /** Registers the cdk-nag packs, as infra/app.ts does. */
  readonly nag?: boolean;
}

/**
 * Builds the docflow app as `cdk synth` does, with cdk.json's context, bundling skipped, the assembly
 * in a fresh temporary folder, and cdk-nag only when asked.
 */
export const buildTestApp = (options: BuildOptions = {}): DocflowApp =>
  buildDocflowApp({
    outdir: mkdtempSync(join(tmpdir(), 'docflow-cdk-')),
    context: { ...cdkJsonContext(), ...SKIP_BUNDLING, ...options.context },
    nag: options.nag ?? false,
  });

/** The logical id CloudFormation knows a construct's main resource by. */
export const logicalIdOf = (construct: IConstruct): string => {
  const stack = Stack.of(construct);
  const child = construct.node.defaultChild;
  if (child === undefined) throw new Error(`${construct.node.path} has no default child`);
  return stack.resolve(stack.getLogicalId(child as CfnElement)) as string;
};

/** `{ "Fn::GetAtt": [<logical id of construct>, "Arn"] }`, as the template references an ARN. */
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

/** `{ Ref: <logical id of construct> }`. */
export const refOf = (construct: IConstruct) => ({ Ref: logicalIdOf(construct) });

/** A resource of the template, by logical id. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** An IAM statement as the template holds it. */
export interface TemplateStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export const actionsOf = (statement: TemplateStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOfStatement = (statement: TemplateStatement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** What the infra tests look up in one synthesized template, bound to that template. */
export interface TemplateQueries {
  readonly template: Template;
  /** The resources of one type, by logical id. */
  resourcesOf(type: string): Record<string, TemplateResource>;
  /** The resource a construct synthesizes to; fails when the template has none. */
  resourceOf(type: string, construct: IConstruct): TemplateResource;
  /** Every statement of every AWS::IAM::Policy and inline role policy, with the owning logical id. */
  iamStatements(): { owner: string; statement: TemplateStatement }[];
  /** The statements of the default policy of a role. */
  statementsOfRole(role: IConstruct): TemplateStatement[];
  /** The statements of the policies on a docflow function's own role; fails when it has no role. */
  statementsOfFunction(fn: DocflowFunction): TemplateStatement[];
  /** The environment variables of a docflow function, as the template sets them. */
  environmentOf(fn: DocflowFunction): Record<string, unknown>;
}

/** The queries of {@link TemplateQueries} on a template. */
const queriesOf = (template: Template): TemplateQueries => {
  const resourcesOf = (type: string) => template.findResources(type) as Record<string, TemplateResource>;

  const resourceOf = (type: string, construct: IConstruct) => {
    const resource = resourcesOf(type)[logicalIdOf(construct)];
    if (!resource) throw new Error(`no ${type} for ${construct.node.path}`);
    return resource;
  };

  const iamStatements = () => {
    const out: { owner: string; statement: TemplateStatement }[] = [];
    for (const [id, policy] of Object.entries(resourcesOf('AWS::IAM::Policy'))) {
      const document = policy.Properties?.PolicyDocument as { Statement: TemplateStatement[] };
      for (const statement of document.Statement) out.push({ owner: id, statement });
    }
    for (const [id, role] of Object.entries(resourcesOf('AWS::IAM::Role'))) {
      const policies = (role.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: TemplateStatement[] };
      }[];
      for (const policy of policies)
        for (const statement of policy.PolicyDocument.Statement) out.push({ owner: id, statement });
    }
    return out;
  };

  const statementsOfRole = (role: IConstruct) =>
    Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        ((policy.Properties?.Roles ?? []) as unknown[]).some(
          (ref) => JSON.stringify(ref) === JSON.stringify(refOf(role)),
        ),
      )
      .flatMap(
        (policy) =>
          (policy.Properties as { PolicyDocument: { Statement: TemplateStatement[] } }).PolicyDocument
            .Statement,
      );

  const statementsOfFunction = (fn: DocflowFunction) => {
    const role = fn.function.role;
    if (!role) throw new Error(`${fn.name} has no role`);
    return statementsOfRole(role);
  };

  const environmentOf = (fn: DocflowFunction) => {
    const properties = resourceOf('AWS::Lambda::Function', fn.function).Properties as {
      Environment?: { Variables?: Record<string, unknown> };
    };
    return properties.Environment?.Variables ?? {};
  };

  return {
    template,
    resourcesOf,
    resourceOf,
    iamStatements,
    statementsOfRole,
    statementsOfFunction,
    environmentOf,
  };
};

/** {@link buildTestApp}, the synthesized template of its stack and the queries bound to it. */
export const synthDocflowTemplate = (options: BuildOptions = {}): DocflowApp & TemplateQueries => {
  const built = buildTestApp(options);
  return { ...built, ...queriesOf(Template.fromStack(built.stack)) };
};
