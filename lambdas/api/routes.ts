import { costRoutes } from './costs';
import { type DocumentsApiConfig, type DocumentsApiPorts, documentRoutes } from './documents';
import { buildOpenApiDocument } from './openapi';
import type { IngestQueue, UploadSigner } from './ports';
import { reprocessRoutes } from './reprocess';
import type { Route } from './router';
import { type UploadsApiConfig, uploadRoutes } from './uploads';

/** The upload route's port and configuration. */
export interface UploadsApi {
  readonly signer: UploadSigner;
  readonly config: UploadsApiConfig;
}

/**
 * Every route of the query API: the document routes, the cost summary, the upload route, the reprocess
 * route (which sends to `ingest`) and the OpenAPI document that describes them.
 */
export const apiRoutes = (
  ports: DocumentsApiPorts,
  config: DocumentsApiConfig,
  uploads: UploadsApi,
  ingest: IngestQueue,
): Route[] => {
  const openApi = buildOpenApiDocument();
  return [
    ...documentRoutes(ports, config),
    ...costRoutes(ports.catalog, {
      cursorSecret: config.cursorSecret,
      ...(config.shardCount === undefined ? {} : { shardCount: config.shardCount }),
    }),
    ...uploadRoutes(uploads.signer, uploads.config),
    ...reprocessRoutes(ports.catalog, ingest),
    {
      method: 'GET',
      path: '/openapi.json',
      handle: async () => ({ status: 200, body: openApi, headers: { 'cache-control': 'max-age=300' } }),
    },
  ];
};
