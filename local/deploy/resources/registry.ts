import type { DeployedResource, LocalTargets } from '../apply';
import type { DeployStep } from '../steps';
import { apiGatewayHandler } from './api-gateway';
import { dynamoDbHandler } from './dynamodb';
import { eventsHandler } from './events';
import { lambdaHandler } from './lambda';
import { NO_CLOUDWATCH, NO_PERMISSIONS, type ResourceHandler, type StepDeployer } from './resource-handler';
import { s3Handler } from './s3';
import { secretsManagerHandler } from './secrets-manager';
import { snsHandler } from './sns';
import { sqsHandler } from './sqs';
import { stepFunctionsHandler } from './step-functions';

/** Every family the local cloud deploys. A new family is a module in this folder and one line here. */
const HANDLERS: readonly ResourceHandler[] = [
  s3Handler,
  sqsHandler,
  snsHandler,
  dynamoDbHandler,
  secretsManagerHandler,
  lambdaHandler,
  stepFunctionsHandler,
  eventsHandler,
  apiGatewayHandler,
];

const byType = (handlers: readonly ResourceHandler[]): ReadonlyMap<string, ResourceHandler> => {
  const map = new Map<string, ResourceHandler>();
  for (const handler of handlers) {
    for (const type of handler.types) {
      if (map.has(type)) throw new Error(`two resource handlers claim ${type}`);
      map.set(type, handler);
    }
  }
  return map;
};

/** The handler of each CloudFormation type the local cloud creates something for. */
export const RESOURCE_HANDLERS: ReadonlyMap<string, ResourceHandler> = byType(HANDLERS);

type AnyDeployer = (step: DeployStep, targets: LocalTargets) => Promise<DeployedResource | undefined>;

const deployersByKind = (handlers: readonly ResourceHandler[]): ReadonlyMap<string, AnyDeployer> => {
  const map = new Map<string, AnyDeployer>();
  for (const handler of handlers) {
    for (const [kind, deployer] of Object.entries(handler.deploy)) {
      if (map.has(kind)) throw new Error(`two resource handlers deploy ${kind} steps`);
      map.set(kind, deployer as StepDeployer<DeployStep['kind']> as AnyDeployer);
    }
  }
  return map;
};

const DEPLOYERS = deployersByKind(HANDLERS);

/** Carries out a step with the handler that planned its kind (see {@link StepDeployer}). */
export const deployStep = (
  step: DeployStep,
  targets: LocalTargets,
): Promise<DeployedResource | undefined> => {
  const deployer = DEPLOYERS.get(step.kind);
  if (deployer === undefined) throw new Error(`no resource handler deploys ${step.kind} steps`);
  return deployer(step, targets);
};

/** Types with no local behaviour, and why deploying nothing for them is right. Any other type is an error. */
export const ACKNOWLEDGED_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': NO_PERMISSIONS,
  'AWS::IAM::Policy': NO_PERMISSIONS,
  'AWS::IAM::ManagedPolicy': NO_PERMISSIONS,
  'AWS::Lambda::Permission': NO_PERMISSIONS,
  'AWS::S3::BucketPolicy': NO_PERMISSIONS,
  'AWS::SQS::QueuePolicy': NO_PERMISSIONS,
  'AWS::SNS::TopicPolicy': NO_PERMISSIONS,
  'AWS::Logs::LogGroup': NO_CLOUDWATCH,
  'AWS::Logs::MetricFilter': NO_CLOUDWATCH,
  'AWS::CloudWatch::Alarm': NO_CLOUDWATCH,
  'AWS::CloudWatch::CompositeAlarm': NO_CLOUDWATCH,
  'AWS::CloudWatch::Dashboard': NO_CLOUDWATCH,
  'Custom::LogRetention': NO_CLOUDWATCH,
  'AWS::ApiGateway::Deployment': 'the local API serves the methods as soon as they are deployed',
  'AWS::ApiGateway::Stage':
    'its name and TracingEnabled are read into the API; throttling and logging have no local effect',
  'AWS::ApiGateway::Account': 'an account-wide CloudWatch role: nothing local',
  'AWS::ApiGateway::RequestValidator': 'its settings are read into the route table of each method using it',
  'AWS::CDK::Metadata': 'CDK usage metadata',
};
