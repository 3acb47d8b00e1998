/**
 * A clock that moves only when the code under test sleeps, so that waiting loops run at once and
 * their timing is exact. `sleeps` lists every sleep asked for, in order.
 */
export const fakeClock = () => {
  let time = 0;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
};
