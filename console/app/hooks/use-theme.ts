import { useCallback, useState } from 'preact/hooks';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** The key the page's first script reads too (console/server/page.ts), so a choice applies before paint. */
const STORAGE_KEY = 'docflow-theme';

const stored = (): ThemeChoice => {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
};

/** Applies and keeps a choice at once (not in an effect: a reload right after the click must see it). */
const apply = (choice: ThemeChoice): void => {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage may be off (private mode): the choice then lasts for this page only.
  }
};

const NEXT: Readonly<Record<ThemeChoice, ThemeChoice>> = { system: 'light', light: 'dark', dark: 'system' };

/** The color theme: the system's (prefers-color-scheme) unless the user picked light or dark. */
export const useTheme = (): { choice: ThemeChoice; next: () => void } => {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const next = useCallback(() => {
    const chosen = NEXT[choice];
    apply(chosen);
    setChoice(chosen);
  }, [choice]);
  return { choice, next };
};
