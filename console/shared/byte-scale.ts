/**
 * A byte count as a value of the largest power of 1024 that keeps it at 1 or more, of at most `units`
 * units: `unit` counts the divisions by 1024 (0 bytes, 1 kibibytes, …). The CLI and the console scale
 * alike, and each labels and rounds its own way.
 */
export const scaleBytes = (
  bytes: number,
  units: number,
): { readonly value: number; readonly unit: number } => {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units - 1) {
    value /= 1024;
    unit += 1;
  }
  return { value, unit };
};
