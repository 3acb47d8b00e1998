/**
 * Whether text decoded in a guessed encoding reads like writing rather than like binary data that
 * happened to decode. A legacy code page decodes every byte to some character, and a detector's
 * n-gram score means little on a few dozen bytes, so a guess is also held to the shape of words.
 */

/** Most characters looked at: the shape of writing shows long before. */
const CHECKED_CHARACTERS = 16 * 1024;

/**
 * Share of the word runs holding non-ASCII characters that must look like words: room for the odd
 * `McDonald`, never for noise, whose every run breaks one rule or another.
 */
export const MIN_PLAUSIBLE_WORD_SHARE = 0.8;

/** Punctuation outside ASCII that separates words: quotes, dashes, ellipsis, bullets, no-break space. */
const SEPARATORS = '\u00a0«»„“”‘’‚‹›–—…•·¿¡';

/** Signs outside ASCII that writing puts next to digits or letters: `1 250 €`, `25°C`, `m²`, `№ 5`. */
const SIGNS = '€£¥¢°±×÷§©®™½¼¾²³¹№µ';

/** Word runs: text cut at whitespace, ASCII punctuation and the separators above (`Müller;Köln` is two). */
const SPLIT = new RegExp(`[\\s!-/:-@[-\`{-~${SEPARATORS}]+`, 'u');

/** A run of letters (with marks) and digits. */
const WORD = /^[\p{L}\p{M}\p{Nd}]+$/u;

/**
 * A run of ASCII letters, digits and signs where signs belong: with a digit (`25°C`, `1,30€`), alone
 * (`€`), or a unit's power (`m²`). Noise read as a code page puts signs anywhere (`¾lu`).
 */
const SIGNED = new RegExp(`^[A-Za-z0-9${SIGNS}]+$`, 'u');
const SIGN_PLACED = new RegExp(`\\d|^[${SIGNS}]+$|^[A-Za-z]+[²³]$`, 'u');

/**
 * Case can only go from upper to lower inside a word (`ÉCOLE`, `École`, `école`); noise flips it at
 * random. Digits skip the rule (`3ème`, `2ºC`).
 */
const hasWordCase = (word: string): boolean => {
  if (/\p{Nd}/u.test(word)) return true;
  let lowerSeen = false;
  for (const char of word) {
    if (/\p{Ll}/u.test(char)) lowerSeen = true;
    else if (/\p{Lu}|\p{Lt}/u.test(char) && lowerSeen) return false;
  }
  return true;
};

const isPlausibleRun = (run: string): boolean =>
  (WORD.test(run) && hasWordCase(run)) || (SIGNED.test(run) && SIGN_PLACED.test(run));

/**
 * Whether text decoded from a single-byte code page looks like writing: most of its word runs that hold
 * non-ASCII characters are letters (with digits) in a sane case pattern, or digits and signs. Markup and
 * CSV split into runs at their ASCII punctuation, so `<b>Müller</b>;"Köln"` is judged by its words.
 */
export const readsLikeWords = (text: string): boolean => {
  let runs = 0;
  let plausible = 0;
  for (const run of text.slice(0, CHECKED_CHARACTERS).split(SPLIT)) {
    if (!/[^\p{ASCII}]/u.test(run)) continue;
    runs++;
    if (isPlausibleRun(run)) plausible++;
  }
  return runs === 0 || plausible / runs >= MIN_PLAUSIBLE_WORD_SHARE;
};

/** Script families that one document mixes freely (Japanese writes Han and kana; Korean, Hangul and Han). */
const SCRIPT_FAMILIES: readonly (readonly [string, RegExp])[] = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['cjk', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['thai', /\p{Script=Thai}/u],
  ['armenian', /\p{Script=Armenian}/u],
  ['georgian', /\p{Script=Georgian}/u],
  [
    'indic',
    /[\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}]/u,
  ],
];

/** Least share of the letters for a script family to count as one the text is written in. */
const MIN_FAMILY_SHARE = 0.1;

/**
 * Whether the letters of text are written in at most two script families (a language and, say, Latin
 * names), with at most a few letters from any script outside them. Bytes decoded as UTF-16 that are not
 * UTF-16 land all over the Unicode range.
 */
export const writtenInFewScripts = (text: string): boolean => {
  const counts = new Map<string, number>();
  let letters = 0;
  for (const char of text.slice(0, CHECKED_CHARACTERS)) {
    if (!/\p{L}/u.test(char)) continue;
    letters++;
    const family = SCRIPT_FAMILIES.find(([, pattern]) => pattern.test(char))?.[0] ?? 'other';
    counts.set(family, (counts.get(family) ?? 0) + 1);
  }
  if (letters === 0) return true;
  if ((counts.get('other') ?? 0) / letters > 0.05) return false;
  const main = [...counts.entries()].filter(
    ([family, count]) => family !== 'other' && count / letters >= MIN_FAMILY_SHARE,
  );
  return main.length <= 2;
};
