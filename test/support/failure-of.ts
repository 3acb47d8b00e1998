/**
 * The Error a promise that must fail rejects with, to assert on its name and message; the test fails
 * when the promise resolves, or rejects with something that is not an Error.
 */
export const failureOf = async <E extends Error = Error>(promise: Promise<unknown>): Promise<E> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error as E;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, and it succeeded');
};
