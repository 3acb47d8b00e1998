import {
  endToEndHeaders,
  exchange,
  forward,
  type RequestHandler,
  sendProxyError,
  sendReply,
} from '../http/proxy';

/** SQS operations whose answers carry queue URLs (AWS JSON 1.0 protocol). */
const RETURNS_QUEUE_URLS = new Set([
  'AmazonSQS.CreateQueue',
  'AmazonSQS.GetQueueUrl',
  'AmazonSQS.ListQueues',
  'AmazonSQS.ListDeadLetterSourceQueues',
]);

/**
 * A queue URL moved onto `endpoint`, keeping its `/<account>/<name>` path: `http://sqs.us-east-1.x:9/0/q`
 * at `http://127.0.0.1:4566` is `http://127.0.0.1:4566/0/q`. fauxqs finds queues by that path alone.
 */
export const queueUrlAt = (endpoint: string, queueUrl: string): string =>
  // Not `new URL(queueUrl)`: WHATWG parsing rejects fauxqs' `sqs.us-east-1.127.0.0.1` host (it ends like an IPv4).
  new URL(queueUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/', endpoint).toString();

/**
 * fauxqs builds queue URLs as `http://sqs.<region>.<host>:<its own port>/…`, a host that resolves
 * nowhere and a port that is not the gateway's, so the SDK (which sends to the queue URL's host unless
 * given an endpoint) and the AWS CLI would fail with it. This route forwards SQS traffic to fauxqs and
 * rewrites every queue URL in its answers onto the origin the client called, so a URL from the
 * gateway leads back to the gateway.
 */
export const sqsRoute = (endpoint: string): RequestHandler => {
  const upstream = new URL(endpoint);
  return (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!RETURNS_QUEUE_URLS.has(target)) {
      forward(upstream, request, response).catch((error: unknown) => sendProxyError(response, error));
      return;
    }
    const origin = `http://${request.headers.host ?? `${upstream.host}`}`;
    exchange(upstream, {
      method: request.method ?? 'POST',
      url: request.url ?? '/',
      headers: endToEndHeaders(request.headers),
      body: request,
    })
      .then((reply) => {
        if (reply.status !== 200) return sendReply(response, reply);
        const answer = JSON.parse(reply.body.toString('utf8')) as { QueueUrl?: string; QueueUrls?: string[] };
        const rewritten = {
          ...answer,
          ...(answer.QueueUrl === undefined ? {} : { QueueUrl: queueUrlAt(origin, answer.QueueUrl) }),
          ...(answer.QueueUrls === undefined
            ? {}
            : { QueueUrls: answer.QueueUrls.map((url) => queueUrlAt(origin, url)) }),
        };
        sendReply(response, reply, Buffer.from(JSON.stringify(rewritten)));
      })
      .catch((error: unknown) => sendProxyError(response, error));
  };
};
