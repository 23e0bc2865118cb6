/**
 * Sizes a session may take (the protocol's `resize` accepts 1–1000; the server clamps to
 * these, and the web UI asks within them). Below 20 columns no TUI is usable, and reflowing a
 * long line into a few columns is what broke the mirror (a 300 KB line at 1–4 columns); above
 * 500×200 a screen costs memory for nothing a person can read.
 */
export const SIZE_LIMITS = { minCols: 20, maxCols: 500, minRows: 5, maxRows: 200 } as const;

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.floor(n)));

/** `cols` × `rows` brought within SIZE_LIMITS (whole numbers). */
export function clampSize(cols: number, rows: number): { cols: number; rows: number } {
  return {
    cols: clamp(cols, SIZE_LIMITS.minCols, SIZE_LIMITS.maxCols),
    rows: clamp(rows, SIZE_LIMITS.minRows, SIZE_LIMITS.maxRows),
  };
}
