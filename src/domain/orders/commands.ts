/**
 * Order commands on the OrderQueue. The database holds the order itself (written by the API
 * before the command is published); a command tells the orders role to act on it now, so a lost
 * or repeated command costs latency at most (the role also reads open orders from the database).
 */
export type OrderCommand = { readonly kind: 'submit'; readonly orderId: number } | { readonly kind: 'cancel'; readonly orderId: number; readonly userId: number };

export function parseOrderCommand(input: unknown): OrderCommand | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const c = input as Record<string, unknown>;
  if (!Number.isSafeInteger(c.orderId) || (c.orderId as number) < 1) return undefined;
  if (c.kind === 'submit') return { kind: 'submit', orderId: c.orderId as number };
  if (c.kind === 'cancel' && Number.isSafeInteger(c.userId)) return { kind: 'cancel', orderId: c.orderId as number, userId: c.userId as number };
  return undefined;
}
