import { createHash } from 'node:crypto';
import type { BrowserBundle } from './bundle';

/**
 * Applies a stored theme choice before the first paint (the app itself loads as a module, after
 * parsing; without this a dark choice would flash light). Allowed by its hash in the CSP.
 */
const THEME_SCRIPT =
  "try{var t=localStorage.getItem('docflow-theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}";

const THEME_SCRIPT_HASH = `'sha256-${createHash('sha256').update(THEME_SCRIPT).digest('base64')}'`;

/** A small mark for the tab, so browsers stop asking for /favicon.ico. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2358c9"/>' +
  '<path d="M9 7h9l5 5v13H9z" fill="#fff"/><path d="M18 7v5h5" fill="#b9ccf4"/></svg>';

export interface PageOptions {
  readonly bundle: BrowserBundle;
  /**
   * Origins the page may load images from and POST uploads to besides itself: where presigned S3
   * URLs point (the local cloud's endpoint, or AWS's hosts).
   */
  readonly storageOrigins: readonly string[];
}

/**
 * The Content-Security-Policy of every answer: scripts and styles only from this server, images and
 * uploads only from here and from S3, no plugins, no frames, no inline script but the theme line.
 * Document data is rendered as text by Preact anyway; this is the second lock on the door.
 */
export const contentSecurityPolicy = (storageOrigins: readonly string[]): string => {
  const storage = storageOrigins.join(' ');
  return [
    "default-src 'none'",
    `script-src 'self' ${THEME_SCRIPT_HASH}`,
    "style-src 'self'",
    `img-src 'self' ${storage}`,
    `connect-src 'self' ${storage}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
};

/** The one HTML page: the app routes by the URL's hash (`#/documents/<id>`). */
export const indexHtml = ({ bundle }: PageOptions): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>docflow console</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script>${THEME_SCRIPT}</script>
<link rel="stylesheet" href="${bundle.stylesheet}">
<script type="module" src="${bundle.script}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>The docflow console needs JavaScript.</p></noscript>
</body>
</html>
`;
