import type { ServerResponse } from 'node:http';
import { sendJsonReply } from '../http/json-reply';
import { type RequestHandler, RequestTooLargeError, readRequestBody } from '../http/proxy';
import { XRayApiError } from './api-errors';
import { notImplemented, OPERATION_PATHS, type OperationName, type XRayApi } from './operations';

/** PutTraceSegments carries at most a few hundred KiB; nothing legitimate is near this. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** X-Ray operations the local service does not answer, by path, so a caller learns which one it hit. */
const OTHER_OPERATIONS: Readonly<Record<string, string>> = {
  '/CancelTraceRetrieval': 'CancelTraceRetrieval',
  '/CreateGroup': 'CreateGroup',
  '/CreateSamplingRule': 'CreateSamplingRule',
  '/DeleteGroup': 'DeleteGroup',
  '/DeleteResourcePolicy': 'DeleteResourcePolicy',
  '/DeleteSamplingRule': 'DeleteSamplingRule',
  '/EncryptionConfig': 'GetEncryptionConfig',
  '/GetGroup': 'GetGroup',
  '/GetIndexingRules': 'GetIndexingRules',
  '/GetRetrievedTracesGraph': 'GetRetrievedTracesGraph',
  '/GetTraceSegmentDestination': 'GetTraceSegmentDestination',
  '/Groups': 'GetGroups',
  '/Insight': 'GetInsight',
  '/InsightEvents': 'GetInsightEvents',
  '/InsightImpactGraph': 'GetInsightImpactGraph',
  '/InsightSummaries': 'GetInsightSummaries',
  '/ListResourcePolicies': 'ListResourcePolicies',
  '/ListRetrievedTraces': 'ListRetrievedTraces',
  '/ListTagsForResource': 'ListTagsForResource',
  '/PutEncryptionConfig': 'PutEncryptionConfig',
  '/PutResourcePolicy': 'PutResourcePolicy',
  '/SamplingStatisticSummaries': 'GetSamplingStatisticSummaries',
  '/StartTraceRetrieval': 'StartTraceRetrieval',
  '/TagResource': 'TagResource',
  '/TelemetryRecords': 'PutTelemetryRecords',
  '/TimeSeriesServiceStatistics': 'GetTimeSeriesServiceStatistics',
  '/UntagResource': 'UntagResource',
  '/UpdateGroup': 'UpdateGroup',
  '/UpdateIndexingRule': 'UpdateIndexingRule',
  '/UpdateSamplingRule': 'UpdateSamplingRule',
  '/UpdateTraceSegmentDestination': 'UpdateTraceSegmentDestination',
};

const sendError = (response: ServerResponse, error: XRayApiError): void =>
  sendJsonReply(
    response,
    error.status,
    { __type: error.name, Message: error.message, message: error.message },
    { 'x-amzn-errortype': error.name },
  );

const operationOf = (url: string | undefined): OperationName | undefined => {
  const path = new URL(url ?? '/', 'http://xray.local').pathname;
  return (OPERATION_PATHS as Readonly<Record<string, OperationName>>)[path];
};

/**
 * A node:http request handler speaking X-Ray's REST-JSON protocol: `POST /<path>` with a JSON body
 * (`/TraceSummaries` is GetTraceSummaries, `/Traces` BatchGetTraces, …), errors named by the
 * `x-amzn-errortype` header. It reads only the method, path and body, so it works behind the gateway
 * (SigV4 service `xray`) and on the daemon's TCP port alike. Signatures are not checked.
 */
export const xrayRequestHandler = (api: XRayApi, logger?: Pick<Console, 'warn'>): RequestHandler => {
  const handle = async (
    request: Parameters<RequestHandler>[0],
    response: Parameters<RequestHandler>[1],
  ): Promise<void> => {
    const operation = operationOf(request.url);
    const path = new URL(request.url ?? '/', 'http://xray.local').pathname;
    if (request.method !== 'POST' || !operation) {
      request.resume();
      const other = request.method === 'POST' ? OTHER_OPERATIONS[path] : undefined;
      sendError(
        response,
        other
          ? notImplemented(other)
          : new XRayApiError(
              'UnknownOperationException',
              `X-Ray has no operation at ${request.method} ${path}`,
              404,
            ),
      );
      return;
    }
    let body: unknown;
    try {
      const raw = await readRequestBody(request, MAX_BODY_BYTES);
      body = raw.byteLength === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (error instanceof RequestTooLargeError)
        return sendError(response, new XRayApiError('InvalidRequestException', error.message, 413));
      return sendError(
        response,
        new XRayApiError('SerializationException', 'The request body is not valid JSON'),
      );
    }
    try {
      sendJsonReply(response, 200, api.call(operation, body));
    } catch (error) {
      if (error instanceof XRayApiError) return sendError(response, error);
      logger?.warn(`local X-Ray: ${operation} failed: ${(error as Error).stack ?? String(error)}`);
      sendError(response, new XRayApiError('InternalFailure', 'Internal failure of the local X-Ray', 500));
    }
  };
  return (request, response) => {
    handle(request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else
        sendError(response, new XRayApiError('InternalFailure', 'Internal failure of the local X-Ray', 500));
    });
  };
};
