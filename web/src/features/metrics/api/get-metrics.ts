import { queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api-client';
import { metricsSchema } from './metrics-schema';
import type { Metrics } from './metrics-schema';

/** `null` means "today in the business timezone", as the server decides. */
export type DaySelection = string | null;

export const metricsKey = (day: DaySelection) => ['metrics', day ?? 'today'] as const;

export function getMetrics(day: DaySelection, signal?: AbortSignal): Promise<Metrics> {
  return requestJson('/metrics', (d) => metricsSchema.parse(d), {
    query: { fecha: day },
    signal,
  });
}

export function metricsQueryOptions(day: DaySelection) {
  return queryOptions({
    queryKey: metricsKey(day),
    queryFn: ({ signal }) => getMetrics(day, signal),
    // Today's numbers are pushed by the live stream; past days rarely change.
    staleTime: day === null ? Infinity : 60_000,
  });
}

export function useMetrics(day: DaySelection) {
  return useQuery(metricsQueryOptions(day));
}

/**
 * Validates a `metrics` event of the live stream and makes it today's data,
 * without a refetch. Returns the parsed metrics, or null if malformed.
 */
export function applyLiveMetrics(queryClient: QueryClient, data: unknown): Metrics | null {
  const parsed = metricsSchema.safeParse(data);
  if (!parsed.success) return null;
  queryClient.setQueryData(metricsKey(null), parsed.data);
  return parsed.data;
}

export function invalidateMetrics(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: ['metrics'] });
}
