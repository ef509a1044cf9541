import { Type } from '@sinclair/typebox';
import { ALERT_CONDITIONS, ALERT_MODES, ALERT_STATUSES, MAX_COOLDOWN_SECONDS, NOTE_MAX_LENGTH } from '../../../domain/alerts/alert.js';
import { ERROR_CODE, LIMIT_ERROR_CODE } from '../strict-validation.js';

/** Request and response schemas of the alert routes; request fields carry their error codes. */
const literals = <T extends string>(values: readonly T[]) => values.map((v) => Type.Literal(v));

const Condition = Type.Union(literals(ALERT_CONDITIONS), {
  description: 'above/below: price ≥ / ≤ threshold. crosses_above/crosses_below: the price moves from the other side to ≥ / ≤ threshold. pct_move: |price − day open| / day open × 100 ≥ threshold.',
  [ERROR_CODE]: 'INVALID_CONDITION',
});
const Threshold = Type.Number({ exclusiveMinimum: 0, description: 'A price, or a percentage for pct_move; > 0.', [ERROR_CODE]: 'INVALID_PRICE' });
const Mode = Type.Union(literals(ALERT_MODES), { description: 'once: fires one time, then `triggered`. rearm: fires again after the cooldown and after the condition was false in between.' });
const Cooldown = Type.Integer({ minimum: 0, maximum: MAX_COOLDOWN_SECONDS, description: 'rearm only: seconds of source time between two fires.' });
const Note = Type.String({ maxLength: NOTE_MAX_LENGTH, description: `Up to ${NOTE_MAX_LENGTH} characters; empty clears it.`, [LIMIT_ERROR_CODE]: 'NOTE_TOO_LONG' });
export const SymbolField = Type.String({ minLength: 1, maxLength: 32, examples: ['AAPL'] });
/** Alert ids are PostgreSQL integers; anything beyond is not an id of ours. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const CreateAlert = Type.Object(
  { symbol: SymbolField, condition: Condition, threshold: Threshold, mode: Type.Optional(Mode), cooldownSeconds: Type.Optional(Cooldown), note: Type.Optional(Note) },
  { additionalProperties: false },
);

export const PatchAlert = Type.Object(
  {
    threshold: Type.Optional(Threshold),
    mode: Type.Optional(Mode),
    cooldownSeconds: Type.Optional(Cooldown),
    note: Type.Optional(Note),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')], { description: 'active re-arms the alert (also a triggered one); disabled stops it.' })),
  },
  { additionalProperties: false },
);

export const AlertSchema = Type.Object(
  {
    id: Type.Integer(),
    symbol: Type.String(),
    condition: Type.String(),
    threshold: Type.Number(),
    mode: Type.String(),
    cooldownSeconds: Type.Integer(),
    note: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union(literals(ALERT_STATUSES)),
    createdAt: Type.String({ format: 'date-time' }),
    triggeredAt: Type.Union([Type.String({ format: 'date-time', description: 'Source time of the tick that fired it last.' }), Type.Null()]),
    triggeredPrice: Type.Union([Type.Number(), Type.Null()]),
    triggerCount: Type.Integer(),
  },
);

export const AlertEventSchema = Type.Object({
  seq: Type.Integer(),
  price: Type.Number(),
  ts: Type.String({ format: 'date-time', description: 'Source time of the tick.' }),
  firedAt: Type.String({ format: 'date-time' }),
});

/** The gostocks service's alert, in its snake_case shape. */
export const LegacyAlertSchema = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer(),
  symbol: Type.String(),
  target_price: Type.Number(),
  condition: Type.String({ description: 'ABOVE or BELOW (other conditions of /api/v1 appear upper-cased).' }),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  triggered_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
