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

/** {@link buildTestApp} and the synthesized template of its stack. */
export const synthDocflowTemplate = (
  options: BuildOptions = {},
): DocflowApp & { readonly template: Template } => {
  const built = buildTestApp(options);
  return { ...built, template: Template.fromStack(built.stack) };
};

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

export const resourcesOf = (template: Template, type: string): Record<string, TemplateResource> =>
  template.findResources(type) as Record<string, TemplateResource>;

/** An IAM statement as the template holds it. */
export interface TemplateStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of every AWS::IAM::Policy and inline role policy, with the owning logical id. */
export const iamStatements = (template: Template): { owner: string; statement: TemplateStatement }[] => {
  const out: { owner: string; statement: TemplateStatement }[] = [];
  for (const [id, policy] of Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const document = policy.Properties?.PolicyDocument as { Statement: TemplateStatement[] };
    for (const statement of document.Statement) out.push({ owner: id, statement });
  }
  for (const [id, role] of Object.entries(resourcesOf(template, 'AWS::IAM::Role'))) {
    const policies = (role.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: TemplateStatement[] };
    }[];
    for (const policy of policies)
      for (const statement of policy.PolicyDocument.Statement) out.push({ owner: id, statement });
  }
  return out;
};

export const actionsOf = (statement: TemplateStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOfStatement = (statement: TemplateStatement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** The statements of the default policy of a role (by the role's logical id). */
export const statementsOfRole = (template: Template, roleLogicalId: string): TemplateStatement[] =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      ((policy.Properties?.Roles ?? []) as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap(
      (policy) =>
        (policy.Properties as { PolicyDocument: { Statement: TemplateStatement[] } }).PolicyDocument
          .Statement,
    );

/** The resource a construct synthesizes to, by its logical id; fails when the template has none. */
export const resourceOf = (template: Template, type: string, construct: IConstruct): TemplateResource => {
  const resource = resourcesOf(template, type)[logicalIdOf(construct)];
  if (!resource) throw new Error(`no ${type} for ${construct.node.path}`);
  return resource;
};

/** The environment variables of a function, as the template sets them. */
export const environmentOf = (template: Template, fn: IConstruct): Record<string, unknown> => {
  const properties = resourceOf(template, 'AWS::Lambda::Function', fn).Properties as {
    Environment?: { Variables?: Record<string, unknown> };
  };
  return properties.Environment?.Variables ?? {};
};

/** The statements of the policies on a docflow function's own role; fails when it has no role. */
export const statementsOfFunction = (template: Template, fn: DocflowFunction): TemplateStatement[] => {
  const role = fn.function.role;
  if (!role) throw new Error(`${fn.name} has no role`);
  return statementsOfRole(template, logicalIdOf(role));
};

/** The environment variables of a docflow function, as the template sets them. */
export const environmentOfFunction = (template: Template, fn: DocflowFunction): Record<string, unknown> =>
  environmentOf(template, fn.function);
