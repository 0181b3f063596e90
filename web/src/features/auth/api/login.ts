import { useMutation } from '@tanstack/react-query';
import { z } from 'zod';
import { requestJson } from '@/lib/api-client';
import { jwtExpiry, startSession } from '@/lib/session';
import type { Session } from '@/lib/session';

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive().optional(),
  role: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export interface Credentials {
  username: string;
  password: string;
}

/** Roles allowed to read the dashboard (a courier only registers orders). */
const DASHBOARD_ROLES = new Set(['admin', 'viewer']);

export class ForbiddenRoleError extends Error {
  constructor(role: string) {
    super(`Role ${role} may not read the dashboard`);
    this.name = 'ForbiddenRoleError';
  }
}

const DEFAULT_TTL_MS = 30 * 60 * 1000;

export function sessionFromToken(
  username: string,
  answer: TokenResponse,
  now = Date.now(),
): Session {
  const expiresAt =
    answer.expires_in !== undefined
      ? now + answer.expires_in * 1000
      : (jwtExpiry(answer.access_token) ?? now + DEFAULT_TTL_MS);
  return { token: answer.access_token, username, role: answer.role ?? 'viewer', expiresAt };
}

export async function login(credentials: Credentials): Promise<Session> {
  const answer = await requestJson('/token', (d) => tokenResponseSchema.parse(d), {
    method: 'POST',
    body: credentials,
    auth: false,
  });
  const session = sessionFromToken(credentials.username, answer);
  if (!DASHBOARD_ROLES.has(session.role)) throw new ForbiddenRoleError(session.role);
  return session;
}

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (session) => startSession(session),
  });
}
