import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, normalizeUsername } from '../../../domain/accounts/account.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from '../../../domain/accounts/password.js';
import type { Refusal } from '../auth-limits.js';
import { BEARER, requireUser, userOf, type AccountsDeps } from '../auth.js';
import { sendError } from '../errors.js';
import { audit } from '../../../observability/audit.js';
import { ErrorSchema } from '../schemas.js';
import { ERROR_CODE } from '../strict-validation.js';

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

function refuse(reply: FastifyReply, code: 'TOO_MANY_LOGIN_ATTEMPTS' | 'TOO_MANY_REGISTRATIONS', refusal: Refusal): FastifyReply {
  void reply.header('Retry-After', String(refusal.retryAfterSeconds));
  return sendError(reply, code);
}

/** Register, log in, and who am I. */
export const authRoutes: FastifyPluginAsyncTypebox<AccountsDeps> = async (app, deps) => {
  const { db, tokens, throttle, metrics, limits, passwordParams } = deps;
  const session = async (user: { id: number; username: string }) => ({ user: { id: user.id, username: user.username }, ...(await tokens.issue(user)) });

  app.post('/auth/register', {
    schema: {
      tags: ['accounts'],
      summary: 'Create an account; answers with a token',
      description: 'Registrations per address are limited (AUTH_REGISTRATIONS_PER_IP): 429 TOO_MANY_REGISTRATIONS with Retry-After.',
      body: Register,
      response: { 201: Session, 400: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const refused = await limits.register(request.ip);
    if (refused) {
      audit(request.log, 'register.limited', { username: normalizeUsername(username), ip: request.ip });
      return refuse(reply, 'TOO_MANY_REGISTRATIONS', refused);
    }
    const user = await db.accounts.create(username, await hashPassword(password, passwordParams));
    if (!user) return sendError(reply, 'USERNAME_TAKEN');
    audit(request.log, 'account.registered', { userId: user.id, username: user.username, ip: request.ip });
    return reply.code(201).send(await session(user));
  });

  app.post('/auth/login', {
    schema: {
      tags: ['accounts'],
      summary: 'Log in; answers with a token',
      description: 'Repeated failures for one username from one address are locked out for a growing time (429 RATE_LIMITED with Retry-After); failed logins per address and per username are limited too (429 TOO_MANY_LOGIN_ATTEMPTS with Retry-After).',
      body: Login,
      response: { 200: Session, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const account = normalizeUsername(username);
    const limited = await limits.login(request.ip, account);
    if (limited) {
      metrics.logins.inc({ result: 'limited' });
      audit(request.log, 'login.limited', { username: account, ip: request.ip, budget: limited.budget });
      return refuse(reply, 'TOO_MANY_LOGIN_ATTEMPTS', limited);
    }
    const key = `${account}|${request.ip}`;
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
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password, passwordParams);
    if (!user || !ok) {
      metrics.logins.inc({ result: 'invalid' });
      audit(request.log, 'login.failed', { username: normalizeUsername(username), knownUser: user !== undefined, ip: request.ip });
      return sendError(reply, 'INVALID_CREDENTIALS');
    }
    throttle.succeeded(key);
    await limits.loginSucceeded(request.ip, account);
    if (needsRehash(user.passwordHash, passwordParams)) {
      // The password is at hand only now: move the stored hash up to today's parameters.
      const upgraded = await db.accounts.replacePasswordHash(user.id, user.passwordHash, await hashPassword(password, passwordParams));
      if (upgraded) audit(request.log, 'password.rehashed', { userId: user.id });
    }
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
