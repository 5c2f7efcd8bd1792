/**
 * Whole numbers with thousands separators, as en-US writes them ("60,000"). Not
 * Number.prototype.toLocaleString: its first call sets up ICU's number formatting, main-thread
 * time that landed in the page's first render, for digits and commas (docs/performance.md).
 */
export function formatCount(n: number): string {
  const whole = Math.round(n);
  const digits = String(Math.abs(whole));
  if (!/^\d+$/.test(digits)) return String(n); // Infinity, NaN, 1e+21 and up
  return (whole < 0 ? '-' : '') + digits.replace(/\B(?=(\d{3})+$)/g, ',');
}
