import type { ComponentType } from 'preact';
import { DocumentPage } from './pages/document-page';
import { DocumentsPage } from './pages/documents-page';
import { ExecutionPage } from './pages/execution-page';
import { ExecutionsPage } from './pages/executions-page';
import { FailedPage } from './pages/failed-page';
import { UploadPage } from './pages/upload-page';

/** What a page gets from the router. */
export interface PageProps {
  /** The path's decoded parameters (`/documents/:id` → `id`). */
  readonly params: Readonly<Record<string, string>>;
  /** The hash's query (`#/documents?status=FAILED`). */
  readonly query: URLSearchParams;
  readonly path: string;
}

export interface PageRoute {
  /** `/documents/:id`: `:name` is one path segment, percent-decoded. */
  readonly path: string;
  readonly component: ComponentType<PageProps>;
  /** Shown in the header's navigation, in this order, when set; highlighted on its sub-paths too. */
  readonly nav?: string;
}

/**
 * Every page of the console, one module each under pages/. A new page is one entry here (and a link
 * from the pages that lead to it); the first route that matches wins.
 */
export const ROUTES: readonly PageRoute[] = [
  { path: '/documents', component: DocumentsPage, nav: 'Documents' },
  { path: '/documents/:id', component: DocumentPage },
  { path: '/upload', component: UploadPage, nav: 'Upload' },
  { path: '/executions', component: ExecutionsPage, nav: 'Executions' },
  { path: '/executions/:arn', component: ExecutionPage },
  { path: '/failed', component: FailedPage, nav: 'Failed documents' },
];

/** Where `#/` and an empty hash lead. */
export const HOME_PATH = '/documents';
