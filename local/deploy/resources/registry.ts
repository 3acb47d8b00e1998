import { apiGatewayHandler } from './api-gateway';
import { dynamoDbHandler } from './dynamodb';
import { eventsHandler } from './events';
import { lambdaHandler } from './lambda';
import { NO_CLOUDWATCH, NO_PERMISSIONS, type ResourceHandler } from './resource-handler';
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
