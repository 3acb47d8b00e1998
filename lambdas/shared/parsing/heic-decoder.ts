import type decode from 'heic-decode';

/** heic-decode's two decoders, bound to one libheif instance. */
export type HeicDecoders = { readonly one: typeof decode; readonly all: typeof decode.all };

let decoders: Promise<HeicDecoders> | undefined;

/**
 * heic-decode's decoders over libheif's WebAssembly build that reads `libheif.wasm` from its package
 * folder. heic-decode's own entry loads the build with the WebAssembly inlined as base64 in JavaScript,
 * 2 MB of every bundle that imports it; libheif-js is a data package instead (installed into the asset,
 * infra/constructs/docflow-function.ts). Loaded and compiled on the first HEIC, once per process.
 */
export const loadHeicDecoders = (): Promise<HeicDecoders> => {
  decoders ??= Promise.all([import('heic-decode/lib.js'), import('libheif-js/libheif-wasm/libheif.js')]).then(
    ([{ default: bindDecoders }, { default: createLibheif }]) => bindDecoders(createLibheif()),
  );
  return decoders;
};
