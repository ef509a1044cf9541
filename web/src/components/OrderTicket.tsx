import { useRef, useState, type FormEvent } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useTrading } from '../hooks/useTrading.js';
import { useQuote, useUi } from '../hooks/useUi.js';
import { price } from '../lib/format.js';
import { checkTicket, needsLimit, needsStop, ORDER_TYPES, TIMES_IN_FORCE, type OrderSide, type OrderType, type TicketField, type TimeInForce } from '../lib/order-ticket.js';

const TYPE_LABEL: Record<OrderType, string> = { market: 'Market', limit: 'Limit', stop: 'Stop', stop_limit: 'Stop-limit' };
const TIF_LABEL: Record<TimeInForce, string> = { day: 'Day', gtc: 'Good till canceled', ioc: 'Immediate or cancel' };

/**
 * The order ticket. Checked before sending with the server's rules (lib/order-ticket), the message
 * shown beside the field it is about and that field focused; the server's own refusal is shown
 * with its message and code above the button.
 */
export function OrderTicket() {
  const dashboard = useDashboard();
  const watchlist = useUi((s) => s.watchlist);
  const universe = useUi((s) => s.universe);
  const selected = useUi((s) => s.selected);
  const busy = useTrading((s) => s.busy);
  const serverError = useTrading((s) => s.error);
  const submitted = useTrading((s) => s.submitted);
  const symbols = universe.length > 0 ? universe : watchlist;
  const [symbolChoice, setSymbol] = useState(selected ?? '');
  const symbol = symbols.includes(symbolChoice) ? symbolChoice : (symbols[0] ?? '');
  const [side, setSide] = useState<OrderSide>('buy');
  const [type, setType] = useState<OrderType>('market');
  // Buys go in whole lots; sells take any number held (odd lots stay closable).
  const lot = useTrading((s) => s.portfolio?.lotSize ?? 1);
  const buyLot = side === 'buy' ? lot : 1;
  const [quantity, setQuantity] = useState('');
  const [limitPrice, setLimitPrice] = useState('');
  const [stopPrice, setStopPrice] = useState('');
  const [timeInForce, setTimeInForce] = useState<TimeInForce>('day');
  const [invalid, setInvalid] = useState<{ field: TicketField; text: string } | undefined>();
  const fields = useRef<Partial<Record<TicketField, HTMLElement | null>>>({});
  const quote = useQuote(symbol);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const { portfolio, openOrders } = dashboard.trading.state.get();
    const checked = checkTicket({ symbol, side, type, quantity, limitPrice, stopPrice, timeInForce }, { portfolio, openOrders, latest: quote?.price });
    if (!checked.ok) {
      setInvalid({ field: checked.field, text: `${checked.message} (${checked.code})` });
      fields.current[checked.field]?.focus();
      return;
    }
    setInvalid(undefined);
    if (await dashboard.trading.submit(checked.order)) {
      setQuantity('');
      setLimitPrice('');
      setStopPrice('');
    }
  };
  const errorOf = (field: TicketField) => (invalid?.field === field ? invalid.text : undefined);
  const described = (field: TicketField) => (invalid?.field === field ? { 'aria-invalid': true, 'aria-describedby': `ticket-${field}-error` } : {});
  const fieldError = (field: TicketField) =>
    errorOf(field) && (
      <p className="field-error" id={`ticket-${field}-error`} data-testid="ticket-error">
        {errorOf(field)}
      </p>
    );
  const changeType = (next: OrderType): void => {
    setType(next);
    // ioc is for orders that can fill at once; keep the ticket valid when switching to a stop.
    if (needsStop(next) && timeInForce === 'ioc') setTimeInForce('day');
    setInvalid(undefined);
  };

  return (
    <form className="order-ticket" aria-labelledby="ticket-title" onSubmit={(e) => void submit(e)} noValidate>
      <h3 id="ticket-title">Order ticket</h3>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="ticket-symbol">Order symbol</label>
          <select id="ticket-symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)}>
            {symbols.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <span className="muted" data-testid="ticket-last">
            Last {price(quote?.price)}
          </span>
        </div>
        <div className="field">
          <span className="field-label" id="ticket-side-label">
            Side
          </span>
          <fieldset className="segmented side-choice" aria-labelledby="ticket-side-label">
            {(['buy', 'sell'] as const).map((s) => (
              <label key={s} className={`side-${s}`}>
                <input type="radio" name="ticket-side" value={s} checked={side === s} onChange={() => setSide(s)} />
                <span>{s === 'buy' ? 'Buy' : 'Sell'}</span>
              </label>
            ))}
          </fieldset>
        </div>
        <div className="field">
          <label htmlFor="ticket-type">Order type</label>
          <select id="ticket-type" value={type} onChange={(e) => changeType(e.target.value as OrderType)}>
            {ORDER_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ticket-quantity">{buyLot > 1 ? `Quantity (shares, lots of ${buyLot})` : 'Quantity (shares)'}</label>
          <input id="ticket-quantity" ref={(el) => void (fields.current.quantity = el)} type="number" inputMode="numeric" min={buyLot} step={buyLot} value={quantity} onChange={(e) => setQuantity(e.target.value)} {...described('quantity')} />
          {fieldError('quantity')}
        </div>
        {needsLimit(type) && (
          <div className="field">
            <label htmlFor="ticket-limit">Limit price</label>
            <input id="ticket-limit" ref={(el) => void (fields.current.limitPrice = el)} type="number" inputMode="decimal" min="0" step="0.01" value={limitPrice} onChange={(e) => setLimitPrice(e.target.value)} {...described('limitPrice')} />
            {fieldError('limitPrice')}
          </div>
        )}
        {needsStop(type) && (
          <div className="field">
            <label htmlFor="ticket-stop">Stop price</label>
            <input id="ticket-stop" ref={(el) => void (fields.current.stopPrice = el)} type="number" inputMode="decimal" min="0" step="0.01" value={stopPrice} onChange={(e) => setStopPrice(e.target.value)} {...described('stopPrice')} />
            {fieldError('stopPrice')}
          </div>
        )}
        <div className="field">
          <label htmlFor="ticket-tif">Time in force</label>
          <select id="ticket-tif" ref={(el) => void (fields.current.timeInForce = el)} value={timeInForce} onChange={(e) => setTimeInForce(e.target.value as TimeInForce)} {...described('timeInForce')}>
            {TIMES_IN_FORCE.map((t) => (
              <option key={t} value={t} disabled={t === 'ioc' && needsStop(type)}>
                {TIF_LABEL[t]}
              </option>
            ))}
          </select>
          {fieldError('timeInForce')}
        </div>
      </div>
      {fieldError('form')}
      {serverError && (
        <p className="field-error" role="alert" data-testid="trading-error">
          {serverError}
        </p>
      )}
      <div className="row">
        <button type="submit" className={`place place-${side}`} disabled={busy || symbol === ''}>
          Place order
        </button>
        <p className="muted" role="status" data-testid="ticket-status">
          {submitted ? `Order #${submitted.id} ${submitted.side} ${submitted.quantity} ${submitted.symbol}: ${submitted.status.replace('_', ' ')}` : ''}
        </p>
      </div>
    </form>
  );
}
