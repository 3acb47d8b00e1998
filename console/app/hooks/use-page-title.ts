import { useEffect } from 'preact/hooks';

/** Sets the tab's title: `<title> · docflow console`. */
export const usePageTitle = (title: string): void => {
  useEffect(() => {
    document.title = `${title} · docflow console`;
  }, [title]);
};
