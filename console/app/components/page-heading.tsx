import type { ComponentChildren } from 'preact';
import { usePageTitle } from '../hooks/use-page-title';

/**
 * The page's one h1, focusable so that the app can move focus to it on navigation (a screen reader
 * then reads where the user landed); it also names the tab.
 */
export const PageHeading = ({ title, children }: { title: string; children?: ComponentChildren }) => {
  usePageTitle(title);
  return (
    <div class="page-heading">
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </div>
  );
};
