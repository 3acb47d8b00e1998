/**
 * Writes `test/fixtures/encodings/`: one small text file per language and legacy encoding docflow reads
 * (encoded with iconv-lite, since Node has no encoder for legacy code pages), near misses that must stay
 * rejected, and `expected.json`, which says what each file must be found to be and, for text, the exact
 * text it must decode to.
 *
 * Deterministic (fixed texts, a seeded generator), so running it again rewrites the same bytes. The tests
 * read the committed files and never regenerate them. Run with `npm run encoding-fixtures`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import type { TextEncoding } from '../lambdas/shared/documents/text-encoding';
import { seededRandom } from './seeded-random';

/** Where the fixtures are written. */
export const ENCODING_FIXTURES_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'encodings',
);

/** A text file: the encoding Inspect must find (its WHATWG name) and the exact text it decodes to. */
export interface TextFixture {
  readonly file: string;
  readonly language: string;
  readonly encoding: TextEncoding;
  readonly text: string;
}

/** A file that must be rejected, with the reason code. */
export interface RejectedFixture {
  readonly file: string;
  readonly reason: 'UNSUPPORTED_TYPE' | 'CORRUPT';
  readonly why: string;
}

export interface EncodingFixtures {
  readonly texts: readonly TextFixture[];
  readonly rejected: readonly RejectedFixture[];
}

/** Realistic short documents, one per language, as exported by the software of the region. */
export const TEXTS = {
  french:
    'Objet : facture n° 2041 — relance\n' +
    'Madame, Monsieur,\n' +
    'Sauf erreur de notre part, la facture ci-jointe d’un montant de 1 250,00 € reste impayée.\n' +
    'Nous vous prions de bien vouloir régler cette somme avant le 15 mars, déduction faite de l’acompte.\n' +
    '« Œuvres complètes » : l’ouvrage commandé sera expédié dès réception du paiement.\n' +
    'Veuillez agréer nos salutations distinguées. — Hélène Dupré, service comptabilité\n',
  german:
    'Sehr geehrte Damen und Herren,\n' +
    'die Prüfung der Unterlagen für das Geschäftsjahr ist abgeschlossen. Größere Abweichungen\n' +
    'wurden nicht festgestellt; die Bestände im Außenlager Düsseldorf stimmen überein.\n' +
    'Bitte überweisen Sie den Restbetrag bis zum Monatsende auf das bekannte Konto.\n' +
    'Mit freundlichen Grüßen\n' +
    'Jürgen Müller, Buchhaltung, Königsallee 12, 40212 Düsseldorf\n',
  frenchPriceList:
    'Tarifs au 1er janvier - boulangerie Lefèvre\n' +
    'Baguette tradition : 1,30 €\n' +
    'Croissant pur beurre : 1,20 €\n' +
    'Pain au chocolat : 1,40 €\n' +
    'Gâteau « cœur fondant » (6 parts) : 18,50 €\n' +
    "Les prix s'entendent toutes taxes comprises. Fermeture hebdomadaire le lundi.\n",
  germanCsv:
    'Kundennummer;Name;Ort;Betrag\n' +
    '10417;Müller GmbH;Köln;1.250,00 €\n' +
    '10533;Bäckerei Jäger;Würzburg;86,40 €\n' +
    '10602;Schröder & Söhne;Lübeck;12.300,00 €\n' +
    '10788;Weiß Straßenbau;Gießen;4.018,75 €\n',
  polish:
    'Szanowni Państwo,\n' +
    'uprzejmie informujemy, że zebranie zarządu odbędzie się w środę o godzinie piętnastej\n' +
    'w siedzibie spółki przy ulicy Długiej 5 w Gdańsku. Prosimy o przesłanie sprawozdań\n' +
    'finansowych do końca miesiąca. Zażółć gęślą jaźń.\n' +
    'Z poważaniem,\n' +
    'Łukasz Żółkiewski, przewodniczący rady\n',
  czech:
    'Vážení zákazníci,\n' +
    'od příštího měsíce se mění otevírací doba naší prodejny v Českých Budějovicích.\n' +
    'Nově máme otevřeno od pondělí do pátku, v sobotu do poledne. Příliš žluťoučký kůň úpěl ďábelské ódy.\n' +
    'Děkujeme za pochopení a těšíme se na vaši návštěvu.\n' +
    'S pozdravem,\n' +
    'Jiří Dvořák, vedoucí pobočky\n',
  russian:
    'Уважаемые коллеги!\n' +
    'Сообщаем, что совещание по итогам квартала переносится на следующую пятницу, 14:00.\n' +
    'Просим подготовить отчёты о продажах и направить их в бухгалтерию до конца недели.\n' +
    'Съешь же ещё этих мягких французских булок да выпей чаю.\n' +
    'С уважением,\n' +
    'отдел кадров\n',
  japanese:
    '拝啓　時下ますますご清栄のこととお慶び申し上げます。\n' +
    'さて、来月の定例会議につきまして、下記のとおり開催いたしますのでご案内申し上げます。\n' +
    '日時：三月十五日（金）午後二時から\n' +
    '場所：本社三階　第一会議室\n' +
    'ご多忙のところ恐縮ですが、ご出席くださいますようお願い申し上げます。\n' +
    '敬具\n',
  korean:
    '안녕하세요.\n' +
    '다음 주 월요일 오후 두 시에 본사 3층 회의실에서 정기 회의가 열립니다.\n' +
    '회의 자료는 금요일까지 이메일로 보내 주시기 바랍니다.\n' +
    '참석이 어려우신 분은 미리 총무팀에 알려 주세요.\n' +
    '감사합니다.\n' +
    '총무팀 드림\n',
  chinese:
    '各位同事：\n' +
    '公司将于下周三下午两点在三楼会议室召开季度总结会议。\n' +
    '请各部门负责人提前准备好本季度的工作报告和下季度的计划，并于周一之前发送至行政部。\n' +
    '会议期间请将手机调至静音。谢谢大家的配合！\n' +
    '行政部\n' +
    '二〇二六年三月九日\n',
  english:
    'Quarterly report — Café Zoë, Malmö branch\n' +
    'Revenue rose 12% year over year; the naïve forecast underestimated demand for crème brûlée.\n' +
    'Staff: Renée O’Connor (manager), José Núñez, Søren Kierkegaard-Jensen.\n' +
    'Next review: 3 March, in the résumé room.\n',
} as const;

/** ISO-2022-JP (RFC 1468) from EUC-JP: JIS X 0208 bytes are EUC-JP's minus 0x80, between escapes. */
const encodeIso2022Jp = (text: string): Buffer => {
  const bytes: number[] = [];
  let kanji = false;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) {
      if (kanji) bytes.push(0x1b, 0x28, 0x42);
      kanji = false;
      bytes.push(char.charCodeAt(0));
      continue;
    }
    const euc = iconv.encode(char, 'euc-jp');
    if (euc.length !== 2 || (euc[0] ?? 0) < 0xa1 || (euc[1] ?? 0) < 0xa1) {
      throw new Error(`${char} is not in JIS X 0208`);
    }
    if (!kanji) bytes.push(0x1b, 0x24, 0x42);
    kanji = true;
    bytes.push((euc[0] ?? 0) - 0x80, (euc[1] ?? 0) - 0x80);
  }
  if (kanji) bytes.push(0x1b, 0x28, 0x42);
  return Buffer.from(bytes);
};

interface TextSpec {
  readonly file: string;
  readonly language: string;
  readonly text: string;
  /** iconv-lite's name for encoding the file. */
  readonly encodeAs: string;
  /** What Inspect must find: the WHATWG name (ISO-8859-1 is read as its superset windows-1252). */
  readonly encoding: TextEncoding;
}

const TEXT_SPECS: readonly TextSpec[] = [
  {
    file: 'fr-windows-1252.txt',
    language: 'French',
    text: TEXTS.french,
    encodeAs: 'windows-1252',
    encoding: 'windows-1252',
  },
  {
    file: 'de-iso-8859-1.txt',
    language: 'German',
    text: TEXTS.german,
    encodeAs: 'iso-8859-1',
    encoding: 'windows-1252',
  },
  {
    file: 'de-windows-1252.csv',
    language: 'German',
    text: TEXTS.germanCsv,
    encodeAs: 'windows-1252',
    encoding: 'windows-1252',
  },
  {
    file: 'fr-iso-8859-15.txt',
    language: 'French',
    text: TEXTS.frenchPriceList,
    encodeAs: 'iso-8859-15',
    encoding: 'iso-8859-15',
  },
  {
    file: 'pl-iso-8859-2.txt',
    language: 'Polish',
    text: TEXTS.polish,
    encodeAs: 'iso-8859-2',
    encoding: 'iso-8859-2',
  },
  {
    file: 'cs-windows-1250.txt',
    language: 'Czech',
    text: TEXTS.czech,
    encodeAs: 'windows-1250',
    encoding: 'windows-1250',
  },
  {
    file: 'ru-windows-1251.txt',
    language: 'Russian',
    text: TEXTS.russian,
    encodeAs: 'windows-1251',
    encoding: 'windows-1251',
  },
  { file: 'ru-koi8-r.txt', language: 'Russian', text: TEXTS.russian, encodeAs: 'koi8-r', encoding: 'koi8-r' },
  {
    file: 'ja-shift_jis.txt',
    language: 'Japanese',
    text: TEXTS.japanese,
    encodeAs: 'shift_jis',
    encoding: 'shift_jis',
  },
  {
    file: 'ja-euc-jp.txt',
    language: 'Japanese',
    text: TEXTS.japanese,
    encodeAs: 'euc-jp',
    encoding: 'euc-jp',
  },
  { file: 'ko-euc-kr.txt', language: 'Korean', text: TEXTS.korean, encodeAs: 'euc-kr', encoding: 'euc-kr' },
  {
    file: 'zh-gb18030.txt',
    language: 'Chinese',
    text: TEXTS.chinese,
    encodeAs: 'gb18030',
    encoding: 'gb18030',
  },
  {
    file: 'en-utf-16le.txt',
    language: 'English',
    text: TEXTS.english,
    encodeAs: 'utf-16le',
    encoding: 'utf-16le',
  },
  {
    file: 'en-utf-16be.txt',
    language: 'English',
    text: TEXTS.english,
    encodeAs: 'utf-16be',
    encoding: 'utf-16be',
  },
  {
    file: 'ja-utf-16le.txt',
    language: 'Japanese',
    text: TEXTS.japanese,
    encodeAs: 'utf-16le',
    encoding: 'utf-16le',
  },
  { file: 'en-utf-8.txt', language: 'English', text: TEXTS.english, encodeAs: 'utf-8', encoding: 'utf-8' },
];

const randomBytes = (random: () => number, length: number, low = 0, high = 255): Buffer =>
  Buffer.from(Array.from({ length }, () => low + Math.floor(random() * (high - low + 1))));

/** Binary data with readable runs in it, none of which may pass for text. */
const nearMisses = (): { file: string; bytes: Buffer; fixture: RejectedFixture }[] => {
  const random = seededRandom(11);
  // A PNG's signature, IHDR and the start of its IDAT, with the first byte lost: no magic number matches.
  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a0000000d494844520000028000000168080200000065a6c0b8', 'hex'),
    Buffer.from('00002000494441547801', 'hex'),
    randomBytes(random, 96),
  ]).subarray(1);
  // A ZIP local file header cut before its signature: a file name in clear, then deflated bytes.
  const zip = Buffer.concat([
    Buffer.from('0304140006000800000021', 'hex'),
    randomBytes(random, 12),
    Buffer.from('word/document.xml'),
    randomBytes(random, 160),
  ]);
  const islands = (low: number): Buffer =>
    Buffer.concat([
      randomBytes(random, 200, low),
      Buffer.from(' Invoice total: 1,250.00 EUR \n'),
      randomBytes(random, 200, low),
      Buffer.from(' The quick brown fox jumps over the lazy dog. '),
      randomBytes(random, 200, low),
    ]);
  const damagedUtf8 = Buffer.from(TEXTS.french, 'utf8');
  damagedUtf8[Math.floor(damagedUtf8.length / 2)] = 0xff;
  return [
    {
      file: 'png-chopped.bin',
      bytes: png,
      fixture: { file: 'png-chopped.bin', reason: 'UNSUPPORTED_TYPE', why: 'a PNG whose first byte is lost' },
    },
    {
      file: 'zip-chopped.bin',
      bytes: zip,
      fixture: {
        file: 'zip-chopped.bin',
        reason: 'UNSUPPORTED_TYPE',
        why: 'a ZIP entry header without its signature, a file name in clear',
      },
    },
    {
      file: 'random-with-ascii-islands.bin',
      bytes: islands(0),
      fixture: {
        file: 'random-with-ascii-islands.bin',
        reason: 'UNSUPPORTED_TYPE',
        why: 'random bytes with English sentences between them',
      },
    },
    {
      file: 'high-bytes-with-ascii-islands.bin',
      bytes: islands(0xa0),
      fixture: {
        file: 'high-bytes-with-ascii-islands.bin',
        reason: 'UNSUPPORTED_TYPE',
        why: 'bytes 0xA0–0xFF only (no control byte, every one a letter or sign in some code page) around sentences',
      },
    },
    {
      file: 'uint16-table.bin',
      bytes: Buffer.from(Uint16Array.from({ length: 256 }, (_, i) => (i * 7) % 40).buffer),
      fixture: {
        file: 'uint16-table.bin',
        reason: 'UNSUPPORTED_TYPE',
        why: 'little-endian 16-bit numbers: zero high bytes like UTF-16, but control characters',
      },
    },
    {
      file: 'fr-utf-8-damaged.txt',
      bytes: damagedUtf8,
      fixture: {
        file: 'fr-utf-8-damaged.txt',
        reason: 'CORRUPT',
        why: 'UTF-8 text with one byte that is not UTF-8: no legacy encoding is guessed for it',
      },
    },
  ];
};

/** Every fixture's bytes, by file name, and the expectations. */
export const makeEncodingFixtures = (): { files: Map<string, Buffer>; expected: EncodingFixtures } => {
  const files = new Map<string, Buffer>();
  const texts: TextFixture[] = [];
  for (const spec of TEXT_SPECS) {
    const bytes = iconv.encode(spec.text, spec.encodeAs, { addBOM: false });
    if (iconv.decode(bytes, spec.encodeAs) !== spec.text) {
      throw new Error(`${spec.file}: the text does not survive ${spec.encodeAs}`);
    }
    files.set(spec.file, bytes);
    texts.push({ file: spec.file, language: spec.language, encoding: spec.encoding, text: spec.text });
  }
  const iso2022 = encodeIso2022Jp(TEXTS.japanese);
  files.set('ja-iso-2022-jp.txt', iso2022);
  texts.push({
    file: 'ja-iso-2022-jp.txt',
    language: 'Japanese',
    encoding: 'iso-2022-jp',
    text: TEXTS.japanese,
  });
  const rejected: RejectedFixture[] = [];
  for (const { file, bytes, fixture } of nearMisses()) {
    files.set(file, bytes);
    rejected.push(fixture);
  }
  return { files, expected: { texts, rejected } };
};

const main = async (): Promise<void> => {
  const { files, expected } = makeEncodingFixtures();
  await mkdir(ENCODING_FIXTURES_DIR, { recursive: true });
  for (const [file, bytes] of files) await writeFile(join(ENCODING_FIXTURES_DIR, file), bytes);
  await writeFile(join(ENCODING_FIXTURES_DIR, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
  process.stdout.write(`wrote ${files.size} files to ${ENCODING_FIXTURES_DIR}\n`);
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
