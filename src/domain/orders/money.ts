/**
 * Money in the ledger: integers of 1/10,000 USD, the finest step prices trade in (sub-dollar
 * prices move in hundredths of a cent, see price-model `roundToTick`). Cash, costs, proceeds and
 * P&L are always such integers, so sums and differences are exact; binary fractions never enter
 * the ledger. Products go through BigInt so that a large order cannot silently lose precision.
 */
export type Money = number;

const UNITS_PER_DOLLAR = 10_000;

/** A price or amount in dollars, exactly as it stands on the tick grid, to ledger units. */
export function toMoney(dollars: number): Money {
  const units = Math.round(dollars * UNITS_PER_DOLLAR);
  if (!Number.isSafeInteger(units)) throw new RangeError(`amount out of range: ${dollars}`);
  return units;
}

/** Ledger units to dollars, for JSON: the nearest double to the exact decimal (display only). */
export function toDollars(units: Money): number {
  return units / UNITS_PER_DOLLAR;
}

/** price × quantity, exactly. */
export function times(price: Money, quantity: number): Money {
  return safe(BigInt(price) * BigInt(quantity));
}

/**
 * amount × part / whole, rounded half away from zero to a ledger unit: the share of a position's
 * cost basis that `part` of its `whole` shares carry. What rounding removes from one share stays
 * with the rest, so the basis of a position sold off in pieces adds up to what was paid.
 */
export function prorate(amount: Money, part: number, whole: number): Money {
  if (whole <= 0) throw new RangeError('prorate over a non-positive whole');
  if (part === whole) return amount;
  const n = BigInt(amount) * BigInt(part);
  const d = BigInt(whole);
  const sign = n < 0n ? -1n : 1n;
  const abs = n < 0n ? -n : n;
  return safe(sign * ((abs * 2n + d) / (2n * d)));
}

/** Is `price` on the tick grid: whole cents at $1 and above, hundredths of a cent below. */
export function onTickGrid(price: Money): boolean {
  return price > 0 && (price < UNITS_PER_DOLLAR || price % 100 === 0);
}

function safe(value: bigint): Money {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError('amount exceeds the ledger range');
  return n;
}
