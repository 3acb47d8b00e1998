/**
 * How Lambda's Node.js runtime starts an execution environment, for the local runner to do the same.
 *
 * The runtime's bootstrap (`/var/runtime/bootstrap` of the `public.ecr.aws/lambda/nodejs` images)
 * sizes V8's heap from the function's memory, with shell integer division:
 *
 * ```sh
 * new_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10)
 * semi_space=$(expr $new_space / 2)
 * old_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE - $new_space)
 * NODE_ARGS=(--expose-gc --max-http-header-size 81920 --max-semi-space-size=$semi_space --max-old-space-size=$old_space /var/runtime/index.mjs)
 * ```
 *
 * so the old generation may take 90 % of the memory size. These are command-line arguments: Node
 * gives them precedence over the same options in the function's `NODE_OPTIONS`, which Node reads
 * as usual.
 */
export const bootstrapArguments = (memoryMb: number): string[] => {
  const newSpace = Math.floor(memoryMb / 10);
  const semiSpace = Math.floor(newSpace / 2);
  const oldSpace = memoryMb - newSpace;
  return [
    '--expose-gc',
    '--max-http-header-size',
    '81920',
    `--max-semi-space-size=${semiSpace}`,
    `--max-old-space-size=${oldSpace}`,
  ];
};
