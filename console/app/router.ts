import { useEffect, useState } from 'preact/hooks';
import { type Location, parseHash } from './paths';

/**
 * Routing by the URL's hash (`#/documents/<id>?page=2`): the server serves one page, links are plain
 * `<a href>`, and back and forward work. Paths are matched and built in paths.ts.
 */
export { href, matchPath, segment } from './paths';

/** Goes to an app path; `replace` keeps it out of the history (filters typed into a form). */
export const navigate = (target: string, options: { replace?: boolean } = {}): void => {
  if (options.replace) {
    history.replaceState(history.state, '', target);
    // replaceState fires no hashchange; the app listens for one.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = target.replace(/^#/, '');
  }
};

/** The current location, re-rendering on every change. */
export const useLocation = (): Location => {
  const [location, setLocation] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = (): void => setLocation(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return location;
};
