import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { request, requestJson } from '@/lib/api-client';

export const activeSessionSchema = z.object({
  id: z.string(),
  usuario: z.string(),
  creada: z.string(),
  ultimo_uso: z.string(),
  expira: z.string(),
  direccion: z.string(),
  agente: z.string(),
  mantener_sesion: z.boolean(),
});
export type ActiveSession = z.infer<typeof activeSessionSchema>;

export const sessionsSchema = z.object({ sesiones: z.array(activeSessionSchema) });

const SESSIONS_KEY = ['sesiones'] as const;

export function getSessions(signal?: AbortSignal): Promise<ActiveSession[]> {
  return requestJson('/sesiones', (d) => sessionsSchema.parse(d).sesiones, {
    ...(signal ? { signal } : {}),
  });
}

/** The active sessions (admins only), read again every half minute while shown. */
export function useActiveSessions(enabled: boolean) {
  return useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: ({ signal }) => getSessions(signal),
    enabled,
    refetchInterval: 30_000,
  });
}

export async function revokeSession(id: string): Promise<void> {
  await request(`/sesiones/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeSession,
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
}
