import { listOptions } from '../command-options';
import type { Command } from '../context';
import { EXIT } from '../errors';
import { listDocuments, renderDocumentList } from '../list-documents';

/** `docflow ls [--status S] [--type T] [--after ISO] [--before ISO] [--limit N | --all] [--json]` */
export const ls: Command = async ({ values }, context) => {
  const options = listOptions(values);
  const { terminal } = context;
  const target = await context.target();
  const list = await listDocuments(target.documents, options);
  if (options.json) {
    terminal.out(JSON.stringify(list, null, 2));
    return EXIT.ok;
  }
  if (list.items.length === 0) {
    terminal.info('No documents match.');
    return EXIT.ok;
  }
  for (const line of renderDocumentList(list.items, terminal.columns)) terminal.out(line);
  if (list.nextCursor) terminal.info(`Showing ${list.items.length}; there are more (--limit N or --all).`);
  return EXIT.ok;
};
