import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { ERROR_CODES, TickstreamError, type ErrorCode } from '../../domain/errors.js';

/**
 * Schema annotation naming the error code a failure of this (sub)schema answers with, e.g.
 * `Type.Number({ exclusiveMinimum: 0, [ERROR_CODE]: 'INVALID_PRICE' })`. Unannotated failures,
 * unknown properties included, are BAD_REQUEST. It shows in OpenAPI as a spec extension.
 */
export const ERROR_CODE = 'x-error-code';
/** Like ERROR_CODE, but only for values of the right JSON type that break a limit (a note too long). */
export const LIMIT_ERROR_CODE = 'x-limit-error-code';

/** TypeBox failures that mean "not even the right kind of value". */
const WRONG_KIND = new Set([ValueErrorType.String, ValueErrorType.Number, ValueErrorType.Integer, ValueErrorType.Boolean, ValueErrorType.Object, ValueErrorType.Array, ValueErrorType.Null, ValueErrorType.ObjectRequiredProperty]);

/**
 * The one validation regime of the HTTP app (installed on the root instance, so every route has
 * it): TypeBox's own checker, the same library the schemas and the route types
 * (`@fastify/type-provider-typebox`) come from, instead of ajv, whose `coerceTypes` would quietly
 * turn `"12"`, `true` or `[12]` into a number. JSON bodies must have exactly the declared types;
 * query strings and path parameters are text by nature and are converted (and defaulted) first.
 * The first failure is reported, with the code its schema names (ERROR_CODE) and a message that
 * says what is allowed.
 */
export function useStrictValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(strictCompiler);
}

const strictCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart !== 'body';
  return (input: unknown) => {
    const value = convert ? Value.Default(schema, Value.Convert(schema, input)) : input;
    const failure = check.Errors(value).First();
    if (!failure) return { value };
    const annotations = failure.schema as Record<string, unknown>;
    const code = (annotations[ERROR_CODE] ?? (WRONG_KIND.has(failure.type) ? undefined : annotations[LIMIT_ERROR_CODE])) as ErrorCode | undefined;
    const where = failure.path === '' ? httpPart ?? 'request' : `${httpPart ?? ''}${failure.path}`;
    const known = code !== undefined && code in ERROR_CODES;
    return { error: new TickstreamError(known ? code : 'BAD_REQUEST', `${where}: ${describe(failure.schema, failure.message)}.`) };
  };
};

/** A choice of fixed values names them ("must be one of 1m, 5m, 1h"); anything else keeps TypeBox's wording. */
function describe(schema: TSchema, message: string): string {
  const options = (schema as { anyOf?: unknown }).anyOf;
  if (!Array.isArray(options)) return message;
  const values = options.map((option) => (option as { const?: unknown }).const);
  if (values.length === 0 || values.some((v) => typeof v !== 'string' && typeof v !== 'number')) return message;
  return `must be one of ${values.join(', ')}`;
}
