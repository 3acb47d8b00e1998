import { describe, expect, it } from 'vitest';
import { buildBrowserBundle } from '../../../console/server/bundle';

describe('buildBrowserBundle', () => {
  it('builds the app with its stylesheet into hashed, self-contained files', async () => {
    // Act
    const bundle = await buildBrowserBundle();

    // Assess
    expect(bundle.script).toMatch(/^\/assets\/app-[A-Z0-9]+\.js$/);
    expect(bundle.stylesheet).toMatch(/^\/assets\/app-[A-Z0-9]+\.css$/);
    const script = new TextDecoder().decode(bundle.assets.get(bundle.script.slice('/assets/'.length))?.body);
    const styles = new TextDecoder().decode(
      bundle.assets.get(bundle.stylesheet.slice('/assets/'.length))?.body,
    );
    // Everything is bundled: no import of another module, from this server or the network.
    const imports = script.match(
      /\bimport\s*(?:[\w$]+|\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*(?:from\s*)?["']|\bimport\(/g,
    );
    expect(imports).toBeNull();
    expect(script).toContain('docflow console');
    // Both schemes: the system's by default, each colour given for light and dark.
    expect(styles).toMatch(/color-scheme:\s*light dark/);
    expect(styles).toMatch(/--bg:\s*light-dark\(/);
    // ELK's layout engine is its own script, for a Web Worker the app starts from the URL it was given.
    const worker = [...bundle.assets.keys()].find((name) => /^elk-worker-[0-9a-f]{12}\.js$/.test(name));
    expect(script).toContain(`/assets/${worker}`);
    expect(bundle.assets.get(worker ?? '')?.body.byteLength).toBeGreaterThan(1_000_000);
  });
});
