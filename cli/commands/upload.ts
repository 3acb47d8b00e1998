import { uploadOptions } from '../command-options';
import type { Command } from '../context';
import { EXIT } from '../errors';
import { planUploads } from '../upload-plan';
import { renderSession, sessionSucceeded, uploadSession } from '../upload-session';

/** `docflow upload <files or folders…> [--prefix incoming/] [--wait] [--timeout 300]` */
export const upload: Command = async ({ values, positionals }, context) => {
  const options = uploadOptions(values, positionals);
  const { terminal } = context;
  const plan = await planUploads({
    inputs: options.inputs,
    prefix: options.prefix,
    onSkip: (path, why) => terminal.info(`skipped ${path}: ${why}`),
  });
  const target = await context.target();
  const entries = await uploadSession(plan, target, {
    wait: options.wait,
    timeoutMs: options.timeoutSeconds * 1000,
    terminal,
    now: context.now,
    sleep: context.sleep,
  });
  for (const line of renderSession(entries, options.wait, terminal.columns)) terminal.out(line);
  if (!options.wait)
    terminal.info('Follow them with `docflow ls` or `docflow show <id>` (or upload with --wait).');
  return sessionSucceeded(entries, options.wait) ? EXIT.ok : EXIT.failed;
};
