import { type DocumentsApiConfig, type DocumentsApiPorts, documentRoutes } from './documents';
import { buildOpenApiDocument } from './openapi';
import type { Route } from './router';

/** Every route of the query API: the document routes and the OpenAPI document that describes them. */
export const apiRoutes = (ports: DocumentsApiPorts, config: DocumentsApiConfig): Route[] => {
  const openApi = buildOpenApiDocument();
  return [
    ...documentRoutes(ports, config),
    {
      method: 'GET',
      path: '/openapi.json',
      handle: async () => ({ status: 200, body: openApi, headers: { 'cache-control': 'max-age=300' } }),
    },
  ];
};
