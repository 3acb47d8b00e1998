import { costRoutes } from './costs';
import { type DocumentsApiConfig, type DocumentsApiPorts, documentRoutes } from './documents';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
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
  // Built on its first request, not in every environment's Init: few clients ever ask for it.
  let openApi: OpenApiDocument | undefined;
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
      handle: async () => {
        openApi ??= buildOpenApiDocument();
        return { status: 200, body: openApi, headers: { 'cache-control': 'max-age=300' } };
      },
    },
  ];
};
