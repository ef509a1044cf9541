import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, normalizeUsername } from '../../../domain/accounts/account.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../../domain/accounts/password.js';
import { BEARER, requireUser, userOf, type AccountsDeps } from '../auth.js';
import { sendError } from '../errors.js';
import { audit } from '../../../observability/audit.js';
import { ErrorSchema } from '../schemas.js';
import { ERROR_CODE, useStrictValidation } from '../strict-validation.js';

const Username = Type.String({ pattern: USERNAME_PATTERN, description: '3–32 of a-z, 0-9, `_`, `.`, `-`; case-insensitive.', examples: ['alice'], [ERROR_CODE]: 'INVALID_USERNAME' });
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters.`, [ERROR_CODE]: 'INVALID_PASSWORD' });
const Register = Type.Object({ username: Username, password: Password }, { additionalProperties: false });
// Logging in checks no format beyond a sane size: a malformed name is simply not a user.
const Login = Type.Object({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });

const UserSchema = Type.Object({ id: Type.Integer(), username: Type.String() });
const Session = Type.Object({
  user: UserSchema,
  token: Type.String({ description: 'Bearer token for `Authorization: Bearer …` and the WebSocket `auth`.' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
type Credentials = { username: string; password: string };

/** Register, log in, and who am I. */
export const authRoutes: FastifyPluginAsync<AccountsDeps> = async (app, deps) => {
  useStrictValidation(app);
  const { db, tokens, throttle, metrics } = deps;
  const session = async (user: { id: number; username: string }) => ({ user: { id: user.id, username: user.username }, ...(await tokens.issue(user)) });

  app.post<{ Body: Credentials }>('/auth/register', {
    schema: {
      tags: ['accounts'],
      summary: 'Create an account; answers with a token',
      body: Register,
      response: { 201: Session, 400: ErrorSchema, 409: ErrorSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const user = await db.accounts.create(username, await hashPassword(password));
    if (!user) return sendError(reply, 'USERNAME_TAKEN');
    audit(request.log, 'account.registered', { userId: user.id, username: user.username, ip: request.ip });
    return reply.code(201).send(await session(user));
  });

  app.post<{ Body: Credentials }>('/auth/login', {
    schema: {
      tags: ['accounts'],
      summary: 'Log in; answers with a token',
      description: 'Repeated failures for one username from one address are locked out for a growing time (429 with Retry-After).',
      body: Login,
      response: { 200: Session, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const key = `${normalizeUsername(username)}|${request.ip}`;
    const wait = throttle.retryAfterMs(key, Date.now());
    if (wait > 0) {
      metrics.logins.inc({ result: 'locked' });
      audit(request.log, 'login.locked', { username: normalizeUsername(username), ip: request.ip });
      const seconds = Math.ceil(wait / 1000);
      void reply.header('Retry-After', String(seconds));
      return sendError(reply, 'RATE_LIMITED', `Too many failed logins; try again in ${seconds} s.`);
    }
    // Counted as a failure before checking, so parallel guesses are locked out too; success clears it.
    throttle.failed(key, Date.now());
    const user = await db.accounts.findByUsername(username);
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
    if (!user || !ok) {
      metrics.logins.inc({ result: 'invalid' });
      audit(request.log, 'login.failed', { username: normalizeUsername(username), knownUser: user !== undefined, ip: request.ip });
      return sendError(reply, 'INVALID_CREDENTIALS');
    }
    throttle.succeeded(key);
    metrics.logins.inc({ result: 'ok' });
    audit(request.log, 'login.succeeded', { userId: user.id, username: user.username, ip: request.ip });
    return session(user);
  });

  app.get('/me', {
    onRequest: requireUser(tokens),
    schema: {
      tags: ['accounts'],
      summary: 'The user the token belongs to',
      security: BEARER,
      response: { 200: Type.Object({ user: Type.Object({ id: Type.Integer(), username: Type.String(), createdAt: Type.String({ format: 'date-time' }) }) }), 401: ErrorSchema },
    },
  }, async (request, reply) => {
    const user = await db.accounts.findById(userOf(request).id);
    if (!user) return sendError(reply, 'INVALID_TOKEN');
    return { user: { id: user.id, username: user.username, createdAt: user.createdAt } };
  });
};
