import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../shared/api';
import { ConsoleClient } from './api/client';
import { ErrorNotice } from './components/error-notice';
import { ConsoleContext, type ConsoleServices } from './context';
import { useTheme } from './hooks/use-theme';
import { NotFoundPage } from './pages/not-found-page';
import { href, matchPath, navigate, useLocation } from './router';
import { HOME_PATH, ROUTES } from './routes';
import { UploadQueue } from './uploads/upload-queue';

const THEME_LABELS = { system: 'System', light: 'Light', dark: 'Dark' } as const;

const ThemeToggle = () => {
  const { choice, next } = useTheme();
  return (
    <button
      type="button"
      class="button-secondary theme-toggle"
      onClick={next}
      title="Switch between system, light and dark"
    >
      Theme: {THEME_LABELS[choice]}
    </button>
  );
};

const Header = ({ config, path }: { config: ConsoleConfig | undefined; path: string }) => (
  <header class="site-header">
    <div class="site-header-inner">
      <div class="brand">
        <a href={href(HOME_PATH)} class="brand-name">
          docflow console
        </a>
        {config ? <span class="target">{config.description}</span> : null}
      </div>
      <nav aria-label="Main">
        <ul>
          {ROUTES.filter((route) => route.nav).map((route) => {
            const current = path === route.path || path.startsWith(`${route.path}/`);
            return (
              <li key={route.path}>
                <a href={href(route.path)} aria-current={current ? 'page' : undefined}>
                  {route.nav}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <ThemeToggle />
    </div>
  </header>
);

/** The page for the current location. */
const Outlet = () => {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (location.path === '/') navigate(href(HOME_PATH), { replace: true });
  }, [location.path]);
  // On navigation focus moves to the new page's heading, as a screen reader user expects.
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [location.path]);
  let page = <NotFoundPage params={{}} query={location.query} path={location.path} />;
  for (const route of ROUTES) {
    const match = matchPath(route.path, location.path);
    if (match) {
      const Page = route.component;
      page = <Page key={location.path} params={match.params} query={location.query} path={location.path} />;
      break;
    }
  }
  return (
    <main id="main" ref={main} tabIndex={-1}>
      {page}
    </main>
  );
};

/**
 * The shell: skip link, header with navigation and theme, and the current page. It reads the
 * console's configuration first; every page then gets the client, the configuration and the uploads.
 */
export const App = () => {
  const client = useMemo(() => new ConsoleClient(window.location.origin), []);
  const uploads = useMemo(() => new UploadQueue({ client }), [client]);
  const location = useLocation();
  const [config, setConfig] = useState<ConsoleConfig>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    client.config().then((loaded) => {
      uploads.pollIntervalMs = loaded.pollIntervalMs;
      setConfig(loaded);
    }, setError);
  }, [client, uploads]);
  const services: ConsoleServices | undefined = config ? { client, config, uploads } : undefined;
  return (
    <>
      {/* A button, not a link to #main: the hash is the router's. */}
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <Header config={config} path={location.path} />
      {services ? (
        <ConsoleContext.Provider value={services}>
          <Outlet />
        </ConsoleContext.Provider>
      ) : (
        <main id="main" tabIndex={-1}>
          {error ? (
            <ErrorNotice error={error} prefix="The console server does not answer" />
          ) : (
            <p class="muted">Connecting…</p>
          )}
        </main>
      )}
    </>
  );
};
