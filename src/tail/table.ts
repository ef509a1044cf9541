import type { WireTick } from '../protocol/index.js';

export interface Row {
  readonly symbol: string;
  price: number;
  /** The price changes are measured from: the day's open if known, else the first price seen. */
  reference: number;
  /** Last move: 1 up, -1 down, 0 none yet. */
  direction: 1 | -1 | 0;
  ticks: number;
  seq: number;
  ts: number;
}

/** Latest state per symbol for the table. */
export class Board {
  readonly rows = new Map<string, Row>();

  constructor(private readonly opens: ReadonlyMap<string, number> = new Map()) {}

  apply(t: WireTick): void {
    const row = this.rows.get(t.symbol);
    if (!row) {
      this.rows.set(t.symbol, { symbol: t.symbol, price: t.price, reference: this.opens.get(t.symbol) ?? t.price, direction: 0, ticks: 1, seq: t.seq, ts: t.ts });
      return;
    }
    row.direction = t.price > row.price ? 1 : t.price < row.price ? -1 : row.direction;
    row.price = t.price;
    row.ticks++;
    row.seq = t.seq;
    row.ts = t.ts;
  }
}

export interface Style {
  up(text: string): string;
  down(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const paint = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
export const COLOURS: Style = { up: paint('32'), down: paint('31'), dim: paint('2'), bold: paint('1') };
export const PLAIN: Style = { up: (t) => t, down: (t) => t, dim: (t) => t, bold: (t) => t };

const money = (n: number): string => n.toFixed(2);
const signed = (n: number, digits = 2): string => `${n > 0 ? '+' : n < 0 ? '-' : ' '}${Math.abs(n).toFixed(digits)}`;

function clock(ts: number): string {
  const d = new Date(ts);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The table as lines: header, one row per symbol (sorted), arrows and colours for the direction. */
export function renderTable(board: Board, style: Style, maxRows = Infinity): string[] {
  const rows = [...board.rows.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  const header = `${'SYMBOL'.padEnd(8)} ${'PRICE'.padStart(11)}   ${'CHANGE'.padStart(10)} ${'CHG%'.padStart(8)} ${'TICKS'.padStart(7)} ${'SEQ'.padStart(9)}  TIME`;
  const lines = [style.bold(header)];
  for (const row of rows.slice(0, maxRows)) {
    const change = row.price - row.reference;
    const pct = row.reference > 0 ? (change / row.reference) * 100 : 0;
    const arrow = row.direction > 0 ? style.up('▲') : row.direction < 0 ? style.down('▼') : ' ';
    const tone = change > 0 ? style.up : change < 0 ? style.down : style.dim;
    lines.push(
      `${row.symbol.padEnd(8)} ${money(row.price).padStart(11)} ${arrow} ${tone(signed(change).padStart(10))} ${tone(`${signed(pct)}%`.padStart(8))} ${String(row.ticks).padStart(7)} ${String(row.seq).padStart(9)}  ${style.dim(clock(row.ts))}`,
    );
  }
  if (rows.length > maxRows) lines.push(style.dim(`… ${rows.length - maxRows} more (make the terminal taller)`));
  return lines;
}

/** Cuts a line with ANSI colours to `width` visible characters, so nothing wraps and breaks the redraw. */
function fit(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}

/** Redraws a block of lines in place: cursor up over the previous block, rewrite, clear the rest. */
export class Screen {
  private drawn = 0;

  constructor(private readonly write: (text: string) => void) {}

  begin(): void {
    this.write('\x1b[?25l');
  }

  draw(lines: readonly string[], width: number): void {
    let out = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    for (const line of lines) out += `\x1b[2K${fit(line, Math.max(10, width - 1))}\n`;
    out += '\x1b[J';
    this.write(out);
    this.drawn = lines.length;
  }

  end(): void {
    this.write('\x1b[?25h');
  }
}
