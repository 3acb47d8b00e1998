import {
  epochSeconds,
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
  type SegmentSink,
} from '../xray/trace-header';

/** What API Gateway traces a stage's request as, decided when the request arrives. */
export interface StageTrace {
  /** The header the Lambda integration gets (`X-Amzn-Trace-Id` in the event, and Lambda's own). */
  readonly integrationHeader: string;
  /** The header API Gateway answers with. */
  readonly responseHeader: string;
  /** Writes the stage segment once the response is known; a no-op for an unsampled request. */
  finish(outcome: StageOutcome): void;
}

/** How the request ended. */
export interface StageOutcome {
  readonly status: number;
  /** The integration that ran, and what it answered (its status as API Gateway saw it). */
  readonly integration?: {
    readonly functionArn: string;
    readonly startedAt: number;
    readonly endedAt: number;
    readonly status: number;
  };
}

export interface StageRequest {
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly clientIp: string;
  readonly userAgent?: string;
  /** The client's `X-Amzn-Trace-Id`, if it sent one. */
  readonly traceHeader?: string;
}

/** X-Ray's flags for an HTTP status: 429 throttle (and error), other 4xx error, 5xx fault. */
const flagsOf = (status: number) => ({
  ...(status === 429 ? { throttle: true } : {}),
  ...(status >= 400 && status < 500 ? { error: true } : {}),
  ...(status >= 500 ? { fault: true } : {}),
});

/**
 * Traces one request of a stage with tracing enabled, as API Gateway does: the client's sampling
 * decision stands, and without one the request is sampled (locally, every request). A sampled request
 * is an `AWS::ApiGateway::Stage` segment named `<apiId>/<stage>` (under the client's Parent, if any),
 * with the HTTP request and response and a `Lambda` subsegment for the integration call, which is the
 * Parent the function's trace continues from.
 */
export const traceStageRequest = (
  request: StageRequest,
  sink: SegmentSink,
  now: () => number = Date.now,
): StageTrace => {
  const startedAt = now();
  const client = parseTraceHeader(request.traceHeader);
  const root = client?.root ?? newTraceId();
  const sampled = client?.sampled ?? true;
  if (!sampled) {
    const header = formatTraceHeader({ root, ...(client?.parent ? { parent: client.parent } : {}), sampled });
    return { integrationHeader: header, responseHeader: header, finish: () => {} };
  }
  const segmentId = newEntityId();
  const integrationId = newEntityId();
  return {
    integrationHeader: formatTraceHeader({ root, parent: integrationId, sampled: true }),
    responseHeader: formatTraceHeader({ root, sampled: true }),
    finish: (outcome) => {
      const { integration } = outcome;
      const functionName = integration?.functionArn.split(':')[6];
      sink.put({
        trace_id: root,
        id: segmentId,
        name: `${request.apiId}/${request.stage}`,
        origin: 'AWS::ApiGateway::Stage',
        ...(client?.parent ? { parent_id: client.parent } : {}),
        start_time: epochSeconds(startedAt),
        end_time: epochSeconds(Math.max(startedAt, now())),
        resource_arn: `arn:aws:apigateway:${request.region}::/restapis/${request.apiId}/stages/${request.stage}`,
        http: {
          request: {
            method: request.method,
            url: request.url,
            client_ip: request.clientIp,
            ...(request.userAgent ? { user_agent: request.userAgent } : {}),
          },
          response: { status: outcome.status },
        },
        aws: {
          api_gateway: {
            account_id: request.accountId,
            rest_api_id: request.apiId,
            stage: request.stage,
            request_id: request.requestId,
          },
        },
        ...flagsOf(outcome.status),
        ...(integration
          ? {
              subsegments: [
                {
                  id: integrationId,
                  name: 'Lambda',
                  namespace: 'aws',
                  start_time: epochSeconds(integration.startedAt),
                  end_time: epochSeconds(Math.max(integration.startedAt, integration.endedAt)),
                  http: { response: { status: integration.status } },
                  aws: {
                    operation: 'Invoke',
                    region: request.region,
                    ...(functionName ? { function_name: functionName, resource_names: [functionName] } : {}),
                  },
                  ...flagsOf(integration.status),
                },
              ],
            }
          : {}),
      });
    },
  };
};
