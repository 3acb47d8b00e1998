import { describe, expect, it } from 'vitest';
import { readsLikeWords, writtenInFewScripts } from '../../../../lambdas/inspect/text-plausibility';

/** A text, named after what it stands for. */
type Case = [name: string, text: string];

const CHECKS: { check: (text: string) => boolean; accepted: Case[]; refused: Case[] }[] = [
  {
    check: readsLikeWords,
    accepted: [
      ['French prose', 'Où est passé le café ? « Œuvres complètes » — à bientôt, Hélène.'],
      ['German in capitals and title case', 'PRÜFUNG der Unterlagen: Größe, Übermorgen, STRAẞE'],
      ['a CSV row', '10417;Müller GmbH;Köln;"1.250,00 €"'],
      ['markup', '<name>Jürgen Müller</name><city>Düsseldorf</city>'],
      ['numbers and signs', 'Temperatur 25°C, Fläche 12 m², Preis 3,50 €, № 5, ½ Liter'],
      ['Russian', 'Съешь же ещё этих мягких французских булок, да выпей чаю.'],
      ['text without any non-ASCII character', 'plain ASCII only'],
    ],
    refused: [
      ['bytes 0x80–0xFF read as windows-1252', 'ÔŽÅ§ÿ¼¹Ó ¿ØâëˆÑ»‘ ñÒ’÷îŒèã'],
      ['bytes read as KOI8-R', '╩7aх╥╔2≥╕÷├геТо╩ ┤Г▒ш┤≤В·'],
      ['Czech from ISO-8859-2 read as windows-1252', 'Pøíli¹ ¾lu»ouèký kùò úpìl ïábelské ódy'],
      ['case flipping inside words', 'пРИВЕТ мИр кАК дЕЛА'],
    ],
  },
  {
    check: writtenInFewScripts,
    accepted: [
      ['Japanese with Latin names', '東京本社　会議室（3F）にて、Tanaka と Smith が参加します。'],
      ['Korean with Hanja', '대한민국 서울特別市 중구'],
      ['Russian with an English word', 'Отчёт по проекту Phoenix готов.'],
    ],
    refused: [
      ['binary read as UTF-16', 'ᪿ䲜䮻Çᄀ༂ᚨ߅ꥼ'],
      ['letters of four scripts in equal parts', 'абвгαβγδabcdאבגד'],
    ],
  },
];

describe.each(CHECKS)('$check.name', ({ check, accepted, refused }) => {
  it.each(accepted)('accepts %s', (_, text) => {
    // Act
    const plausible = check(text);

    // Assess
    expect(plausible).toBe(true);
  });

  it.each(refused)('refuses %s', (_, text) => {
    // Act
    const plausible = check(text);

    // Assess
    expect(plausible).toBe(false);
  });
});
