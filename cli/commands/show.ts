import type { Command } from '../context';
import { EXIT } from '../errors';
import { displayPath } from '../paths';
import { gatherDocument, namedDocument, renderShownDocument, shownDocumentJson } from '../show-document';

/** `docflow show <id | key> [--json]` */
export const show: Command = async ({ values, positionals }, context) => {
  const [idOrKey = ''] = positionals;
  const { terminal } = context;
  const target = await context.target();
  const document = await namedDocument(target, idOrKey, context.cwd);
  const shown = await gatherDocument(target, document, context.dataDir, context.now());
  if (values.json === true) {
    terminal.out(JSON.stringify(shownDocumentJson(shown), null, 2));
  } else {
    const lines = renderShownDocument(shown, {
      displayPath: (path) => displayPath(path, context.cwd),
      consoleLinks: target.kind === 'stack',
      ...(terminal.columns === undefined ? {} : { width: terminal.columns }),
    });
    for (const line of lines) terminal.out(line);
  }
  return EXIT.ok;
};
