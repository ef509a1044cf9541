import { memo } from 'react';

/** The recent prices of a symbol as a small line. */
/** `tone` colours it like the day's change beside it, so the card never shows two verdicts. */
export const Sparkline = memo(function Sparkline({ symbol, prices, tone }: { symbol: string; prices: readonly number[]; tone: 'up' | 'down' | 'flat' }) {
  const width = 120;
  const height = 32;
  if (prices.length < 2) return <svg className="spark" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${symbol}: not enough prices for a trend yet`} />;
  const min = Math.min(...prices);
  const max = Math.max(...prices);
  const span = max - min || 1;
  const step = width / (prices.length - 1);
  const points = prices.map((p, i) => `${(i * step).toFixed(1)},${(height - 2 - ((p - min) / span) * (height - 4)).toFixed(1)}`).join(' ');
  const first = prices[0]!;
  const last = prices[prices.length - 1]!;
  const trend = last > first ? 'up' : last < first ? 'down' : 'flat';
  const pct = ((last - first) / first) * 100;
  return (
    <svg className={`spark spark-${tone}`} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${symbol} trend over the last ${prices.length} prices: ${trend} ${Math.abs(pct).toFixed(2)}%`}>
      <polyline points={points} fill="none" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
});
