/**
 * Whether a process with this id runs (signal 0 checks without sending anything). A process of
 * another user answers EPERM: it runs all the same.
 */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
