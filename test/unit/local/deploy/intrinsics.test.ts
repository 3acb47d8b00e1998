import { describe, expect, it } from 'vitest';
import { IntrinsicResolver, referencedLogicalIds } from '../../../../local/deploy/intrinsics';
import {
  generatedName,
  ResourceIdentities,
  type StackEnvironment,
} from '../../../../local/deploy/physical-ids';
import { type CfnTemplate, TemplateError } from '../../../../local/deploy/template';

const ENV: StackEnvironment = {
  stackName: 'Docflow-test',
  region: 'eu-west-1',
  accountId: '000000000000',
  queueEndpoint: 'http://127.0.0.1:4566/',
};

/** A small template of the shapes CDK emits, to exercise what the docflow template does not use. */
const TEMPLATE: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
    BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/version' },
  },
  Mappings: { Sizes: { dev: { memory: 256 }, prod: { memory: 1024 } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    IrelandDev: { 'Fn::And': [{ Condition: 'IsIreland' }, { 'Fn::Not': [{ Condition: 'IsProd' }] }] },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsIreland' }] },
  },
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    NamedQueue: {
      Type: 'AWS::SQS::Queue',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
      Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-named' } },
    },
    Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
  },
};

const resolverFor = (template: CfnTemplate = TEMPLATE, env: StackEnvironment = ENV, parameters = {}) => {
  const resolver = new IntrinsicResolver(template, env, { parameters });
  resolver.bind(new ResourceIdentities(template, env, (id, name) => resolver.property(id, name)));
  return resolver;
};

const AT = { owner: 'Queue', path: ['Properties', 'Test'] };

const resolve = (value: unknown, parameters = {}) =>
  resolverFor(TEMPLATE, ENV, parameters).resolve(value, AT);

const errorOf = (value: unknown, parameters = {}): string => {
  try {
    resolve(value, parameters);
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  throw new Error('resolved without an error');
};

describe('IntrinsicResolver', () => {
  it('gives the pseudo parameters of the local stack', () => {
    // Act
    const values = resolve([
      { Ref: 'AWS::Region' },
      { Ref: 'AWS::AccountId' },
      { Ref: 'AWS::Partition' },
      { Ref: 'AWS::URLSuffix' },
      { Ref: 'AWS::StackName' },
    ]);

    // Assess
    expect(values).toEqual(['eu-west-1', '000000000000', 'aws', 'amazonaws.com', 'Docflow-test']);
    expect(resolve({ Ref: 'AWS::StackId' })).toMatch(
      /^arn:aws:cloudformation:eu-west-1:000000000000:stack\/Docflow-test\/[a-z0-9]{32}$/,
    );
  });

  it('gives Ref and Fn::GetAtt of each resource type as CloudFormation does', () => {
    // Act
    const queueName = resolve({ 'Fn::GetAtt': ['Queue', 'QueueName'] });

    // Assess
    expect(queueName).toMatch(/^Docflow-test-Queue-[A-Z0-9]{12}$/);
    expect(resolve({ Ref: 'Queue' })).toBe(`http://127.0.0.1:4566/000000000000/${queueName}`);
    expect(resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe(
      `arn:aws:sqs:eu-west-1:000000000000:${queueName}`,
    );
    expect(resolve({ 'Fn::GetAtt': 'Queue.QueueUrl' })).toBe(resolve({ Ref: 'Queue' }));
    expect(resolve({ Ref: 'NamedQueue' })).toBe('http://127.0.0.1:4566/000000000000/Docflow-test-named');
    expect(resolve({ 'Fn::GetAtt': ['Fifo', 'QueueName'] })).toMatch(/-Fifo-[A-Z0-9]{12}\.fifo$/);
    const bucket = resolve({ Ref: 'Bucket' });
    expect(bucket).toMatch(/^docflow-test-bucket-[a-z0-9]{12}$/);
    expect(resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).toBe(`arn:aws:s3:::${bucket}`);
    expect(resolve({ 'Fn::GetAtt': ['Bucket', 'RegionalDomainName'] })).toBe(
      `${bucket}.s3.eu-west-1.amazonaws.com`,
    );
    expect(resolve({ Ref: 'Topic' })).toMatch(/^arn:aws:sns:eu-west-1:000000000000:Docflow-test-Topic-/);
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(
      `arn:aws:dynamodb:eu-west-1:000000000000:table/${resolve({ Ref: 'Table' })}`,
    );
    expect(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe(
      `arn:aws:iam::000000000000:role/${resolve({ Ref: 'Role' })}`,
    );
    expect(resolve({ Ref: 'Machine' })).toBe(resolve({ 'Fn::GetAtt': ['Machine', 'Arn'] }));
  });

  it('joins, splits and selects', () => {
    // Assess
    expect(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }, 3]] })).toBe('a-eu-west-1-3');
    expect(resolve({ 'Fn::Split': [',', 'x,y,z'] })).toEqual(['x', 'y', 'z']);
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] })).toBe('y');
    expect(resolve({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(resolve({ 'Fn::Base64': 'docflow' })).toBe('ZG9jZmxvdw==');
  });

  it('substitutes both forms of Fn::Sub, with attributes, variables and escapes', () => {
    // Act
    const text = resolve({
      'Fn::Sub': [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
        '${AWS::Region}/${Stage}/${Queue.QueueName}/${Greeting}/${!Literal}',
        { Greeting: { 'Fn::Join': ['', ['hi', '!']] } },
      ],
    });

    // Assess
    expect(text).toBe(
      `eu-west-1/dev/${String(resolve({ 'Fn::GetAtt': ['Queue', 'QueueName'] }))}/hi!/\${Literal}`,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' })).toBe(
      resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] }),
    );
  });

  it('evaluates conditions and picks the Fn::If branch, dropping AWS::NoValue', () => {
    // Act
    const value = resolve({
      a: { 'Fn::If': ['IrelandDev', 'yes', 'no'] },
      b: { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] },
      c: ['keep', { 'Fn::If': ['Either', { Ref: 'AWS::NoValue' }, 'dropped'] }],
    });

    // Assess
    expect(value).toEqual({ a: 'yes', c: ['keep'] });
    expect(resolve({ 'Fn::If': ['IsProd', 'prod', 'dev'] }, { Stage: 'prod' })).toBe('prod');
  });

  it('reads parameters (given, or their default) and mappings', () => {
    // Assess
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolve({ Ref: 'Stage' }, { Stage: 'prod' })).toBe('prod');
    expect(resolve({ Ref: 'Zones' })).toEqual(['a', 'b']);
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] }, { Stage: 'prod' })).toBe(1024);
  });

  it('explains what it cannot resolve, naming the function, the reference and the resource', () => {
    // Assess
    expect(errorOf({ 'Fn::ImportValue': 'shared-vpc' })).toMatch(
      /^Queue \(AWS::SQS::Queue\) at Properties\.Test: the local cloud does not support the intrinsic function Fn::ImportValue/,
    );
    expect(errorOf({ Ref: 'Nowhere' })).toMatch(/Ref Nowhere: the template has no resource or parameter/);
    expect(errorOf({ 'Fn::GetAtt': ['Topic', 'Owner'] })).toMatch(
      /Topic\.Owner: the local cloud does not know the Owner attribute of AWS::SNS::Topic \(it knows TopicArn, TopicName\)/,
    );
    expect(errorOf({ Ref: 'BootstrapVersion' })).toMatch(/SSM Parameter Store/);
    expect(errorOf({ 'Fn::Select': [5, ['a']] })).toMatch(/index 5 is outside the list of 1/);
    expect(errorOf({ 'Fn::If': ['NoSuchCondition', 'a', 'b'] })).toMatch(/no condition NoSuchCondition/);
  });
});

describe('referencedLogicalIds', () => {
  it('finds resources behind Ref, Fn::GetAtt and Fn::Sub, and nothing else', () => {
    // Act
    const found = referencedLogicalIds(TEMPLATE, {
      a: { Ref: 'Queue' },
      b: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
      c: { 'Fn::Sub': ['${Topic}/${Table.Arn}/${Var}/${!Role}/${AWS::Region}', { Var: { Ref: 'Machine' } }] },
      d: { Ref: 'Stage' },
      e: { Ref: 'AWS::AccountId' },
    });

    // Assess
    expect([...found].sort()).toEqual(['Bucket', 'Machine', 'Queue', 'Table', 'Topic']);
  });
});

describe('generatedName', () => {
  it('is deterministic, fits the limit and keeps bucket names valid', () => {
    // Act
    const long = generatedName('Docflow-a-rather-long-stage-name', 'X'.repeat(120), {
      maxLength: 63,
      lowercase: true,
    });
    const again = generatedName('Docflow-a-rather-long-stage-name', 'X'.repeat(120), {
      maxLength: 63,
      lowercase: true,
    });
    const fn = generatedName('Docflow-dev', 'Y'.repeat(100), { maxLength: 64 });

    // Assess
    expect(long).toBe(again);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    expect(fn.length).toBe(64);
    expect(fn).toMatch(/^Docflow-dev-Y+-[A-Z0-9]{12}$/);
    expect(generatedName('Docflow-dev', 'Queue', { maxLength: 80 })).not.toBe(
      generatedName('Docflow-prod', 'Queue', { maxLength: 80 }),
    );
  });
});
