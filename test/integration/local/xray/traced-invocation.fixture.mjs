// One traced invocation, run the way a Lambda environment runs it: the parent test sets the
// environment Lambda sets (LAMBDA_TASK_ROOT, AWS_EXECUTION_ENV, _X_AMZN_TRACE_ID,
// AWS_XRAY_DAEMON_ADDRESS), so the real aws-xray-sdk-core is in Lambda mode and Powertools Tracer
// streams each subsegment to the daemon over UDP. A child process keeps that environment out of vitest.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { GetSamplingRulesCommand, XRayClient } from '@aws-sdk/client-xray';

const tracer = new Tracer({ serviceName: 'xray-it' });
const xray = tracer.captureAWSv3Client(
  new XRayClient({
    endpoint: process.env.GATEWAY_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  }),
);

// What Powertools' captureLambdaHandler does around a handler.
const main = tracer.getSegment();
const handler = main.addNewSubsegment(`## ${process.env._HANDLER}`);
tracer.setSegment(handler);
tracer.annotateColdStart();
tracer.addServiceNameAnnotation();
tracer.putAnnotation('documentId', process.env.DOCUMENT_ID);
tracer.putAnnotation('attempt', 2);
await xray.send(new GetSamplingRulesCommand({}));
const parse = handler.addNewSubsegment('### parse');
parse.addError(new Error('truncated JPEG'));
parse.close();
handler.close();
tracer.setSegment(main);
