import { useMutation } from '@tanstack/react-query';
import { z } from 'zod';
import { request, requestJson, sessionFromAnswer } from '@/lib/api-client';
import { getSession, jwtExpiry, startSession } from '@/lib/session';
import type { Session } from '@/lib/session';

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive().optional(),
  role: z.string().optional(),
  // With mantener_sesion sent, a server that keeps sessions adds these.
  refresh_token: z.string().min(1).optional(),
  sesion_id: z.string().optional(),
  // Seconds the session lasts unless renewed; the dashboard renews long before.
  sesion_expira_en: z.number().nonnegative().optional(),
  mantener_sesion: z.boolean().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export interface Credentials {
  username: string;
  password: string;
  /** "Keep this screen signed in": a session that renews for weeks, in every tab. */
  keep?: boolean;
}

/** Roles allowed to read the dashboard (a courier only registers orders). */
const DASHBOARD_ROLES = new Set(['admin', 'viewer']);

export class ForbiddenRoleError extends Error {
  constructor(role: string) {
    super(`Role ${role} may not read the dashboard`);
    this.name = 'ForbiddenRoleError';
  }
}

export function sessionFromToken(
  username: string,
  answer: TokenResponse,
  now = Date.now(),
): Session {
  return sessionFromAnswer(username, answer, now, jwtExpiry);
}

export async function login(credentials: Credentials): Promise<Session> {
  const answer = await requestJson('/token', (d) => tokenResponseSchema.parse(d), {
    method: 'POST',
    body: {
      username: credentials.username,
      password: credentials.password,
      mantener_sesion: credentials.keep === true,
    },
    auth: false,
  });
  const session = sessionFromToken(credentials.username, answer);
  if (!DASHBOARD_ROLES.has(session.role)) throw new ForbiddenRoleError(session.role);
  return session;
}

/**
 * Signs out: the server forgets the session (so its refresh token renews
 * nothing), best effort, since the screen signs out either way.
 */
export function logoutOnServer(session: Session | null = getSession()): void {
  if (!session?.refreshToken) return;
  request('/token/cerrar', {
    method: 'POST',
    body: { refresh_token: session.refreshToken },
    auth: false,
  }).catch(() => undefined);
}

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (session) => startSession(session),
  });
}
