/** Types for heic-decode 2 (it ships none): HEIC/HEIF decoding in WebAssembly (libheif-js). */
declare module 'heic-decode' {
  /** Decoded pixels, as an `ImageData`: RGBA, 4 bytes per pixel, row by row. */
  export interface DecodedHeicImage {
    readonly width: number;
    readonly height: number;
    readonly data: Uint8ClampedArray;
  }

  /** Decodes the primary image. Throws a TypeError when the bytes are not HEIC/HEIF. */
  function decode(input: { readonly buffer: Uint8Array | ArrayBuffer }): Promise<DecodedHeicImage>;

  /** One image of the file, measured but not decoded yet. */
  export interface HeicImage {
    readonly width: number;
    readonly height: number;
    decode(): Promise<DecodedHeicImage>;
  }

  namespace decode {
    /**
     * Reads every top-level image's size without decoding any; `dispose()` frees them (after decoding).
     * Throws a TypeError when the bytes are not HEIC/HEIF.
     */
    function all(input: {
      readonly buffer: Uint8Array | ArrayBuffer;
    }): Promise<HeicImage[] & { readonly dispose: () => void }>;
  }

  export default decode;
}

/** heic-decode's decoders over a libheif instance the caller creates (its entry creates the inlined one). */
declare module 'heic-decode/lib.js' {
  type Decode = typeof import('heic-decode').default;

  function bindDecoders(libheif: unknown): { one: Decode; all: Decode['all'] };

  export default bindDecoders;
}
