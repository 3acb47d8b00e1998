import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import sharp from 'sharp';
import { seededRandom } from '../seeded-random';
import { PHRASES } from './expected-results';

const require = createRequire(import.meta.url);
const FONT_PATH = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts');
const FONT_FAMILY = 'DocflowSampleSans';

/** Registers the Liberation Sans shipped by pdfjs-dist, which {@link renderTextPage} draws with. */
export const registerSampleFont = (): void => {
  if (!GlobalFonts.registerFromPath(join(FONT_PATH, 'LiberationSans-Regular.ttf'), FONT_FAMILY)) {
    throw new Error(`cannot register the font in ${FONT_PATH}`);
  }
};

const clampByte = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));

/**
 * A landscape scene (sky, sun, hills, lake) with a red marker in the top-left corner, stored sideways
 * with EXIF Orientation 6: a viewer shows it 360×640 with the marker top-right. A thumbnailer that
 * ignores the tag produces a landscape thumbnail with the marker top-left.
 */
export const makeRotatedPhoto = async (): Promise<Buffer> => {
  const width = 640;
  const height = 360;
  const random = seededRandom(6);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const horizon = 210 + 30 * Math.sin(x / 70) + 15 * Math.sin(x / 23 + 1);
      let rgb: [number, number, number];
      if (y < horizon) {
        const t = y / horizon;
        rgb = [70 + 120 * t, 130 + 90 * t, 220 + 25 * t];
        const sun = Math.hypot(x - 500, y - 90);
        if (sun < 45) rgb = [255, 220 - sun, 90];
        else if (sun < 80) {
          const glow = (80 - sun) / 35;
          rgb = [rgb[0] + (255 - rgb[0]) * glow * 0.6, rgb[1] + (230 - rgb[1]) * glow * 0.6, rgb[2]];
        }
      } else if (y < 300) {
        const shade = (y - horizon) / (300 - horizon);
        rgb = [40 + 30 * shade, 120 - 40 * shade + 10 * Math.sin(x / 9), 50];
      } else {
        const ripple = 12 * Math.sin(x / 6 + y / 2);
        rgb = [30 + ripple, 80 + ripple, 150 + ripple];
      }
      if (x >= 16 && x < 80 && y >= 16 && y < 80) {
        rgb = x >= 40 && x < 56 && y >= 40 && y < 56 ? [255, 255, 255] : [220, 20, 30];
      }
      const noise = (random() - 0.5) * 10;
      const offset = (y * width + x) * 3;
      pixels[offset] = clampByte(rgb[0] + noise);
      pixels[offset + 1] = clampByte(rgb[1] + noise);
      pixels[offset + 2] = clampByte(rgb[2] + noise);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 82 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
};

/** Renders lines of text black on white with the Liberation Sans shipped by pdfjs-dist. */
export const renderTextPage = (
  width: number,
  height: number,
  lines: readonly { text: string; size: number }[],
  options: { margin: number; background: string; ink: string },
): { rgba: Buffer; width: number; height: number } => {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = options.background;
  context.fillRect(0, 0, width, height);
  context.fillStyle = options.ink;
  context.textBaseline = 'alphabetic';
  let y = options.margin;
  for (const line of lines) {
    y += Math.round(line.size * 1.5);
    context.font = `${line.size}px ${FONT_FAMILY}`;
    context.fillText(line.text, options.margin, y);
  }
  const image = context.getImageData(0, 0, width, height);
  return {
    rgba: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    width,
    height,
  };
};

/** A PNG of printed English text, for the Textract sync path (OCR'd by tesseract.js locally). */
export const makePrintedTextPng = async (): Promise<Buffer> => {
  const page = renderTextPage(
    760,
    250,
    [
      { text: PHRASES.printedText, size: 32 },
      { text: 'Printed sample for docflow text detection.', size: 32 },
      { text: 'Order 2048 ships on Monday from Dock B.', size: 32 },
    ],
    { margin: 40, background: '#ffffff', ink: '#000000' },
  );
  return (
    sharp(page.rgba, { raw: { width: page.width, height: page.height, channels: 4 } })
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      // libvips otherwise records 25.4 dpi, which tesseract distrusts and warns about.
      .withDensity(96)
      .png({ compressionLevel: 9 })
      .toBuffer()
  );
};

/** A flowchart of boxes and arrows, with no text (so it needs no font). */
export const makeDiagramWebp = async (): Promise<Buffer> => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320">
  <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">
    <path d="M0,0 L10,5 L0,10 z" fill="#334155"/></marker></defs>
  <rect width="480" height="320" fill="#f8fafc"/>
  <rect x="20" y="130" width="100" height="60" rx="10" fill="#38bdf8" stroke="#0c4a6e" stroke-width="3"/>
  <polygon points="240,100 300,160 240,220 180,160" fill="#fbbf24" stroke="#78350f" stroke-width="3"/>
  <rect x="360" y="40" width="100" height="60" rx="10" fill="#4ade80" stroke="#14532d" stroke-width="3"/>
  <rect x="360" y="220" width="100" height="60" rx="10" fill="#f87171" stroke="#7f1d1d" stroke-width="3"/>
  <circle cx="410" cy="160" r="18" fill="#a78bfa" stroke="#4c1d95" stroke-width="3"/>
  <line x1="120" y1="160" x2="176" y2="160" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <polyline points="240,100 240,70 356,70" fill="none" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <polyline points="240,220 240,250 356,250" fill="none" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <line x1="300" y1="160" x2="388" y2="160" stroke="#334155" stroke-width="4" stroke-dasharray="8 6" marker-end="url(#arrow)"/>
</svg>`;
  return sharp(Buffer.from(svg)).webp({ quality: 80 }).toBuffer();
};
