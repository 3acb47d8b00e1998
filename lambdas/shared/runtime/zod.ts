import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod as the functions use it: `zod/mini`, whose functions esbuild can drop one by one, where the
 * classic API's schemas carry every method and keep about 70 KB more in every bundle (docs/decisions.md
 * 56). Unlike `zod`, `zod/mini` sets no locale, so its issues would read "Invalid input"; the English
 * messages, which the API's 400 answers and the logs show, are configured here, once, by every module
 * that defines a schema. `z.locales` must not be used for it: it holds every language.
 */
config(en());

export * from 'zod/mini';
