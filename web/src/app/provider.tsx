import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { ApiError } from '@/lib/api-client';
import { I18nProvider } from '@/lib/i18n';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The live stream keeps today's data current; refetching on focus
        // would only add load. 4xx answers are not worth retrying.
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          failures < 3 &&
          !(
            error instanceof ApiError &&
            ['unauthorized', 'forbidden', 'client'].includes(error.kind)
          ),
      },
      mutations: { retry: false },
    },
  });
}

export function AppProvider({
  children,
  queryClient,
}: {
  children: ReactNode;
  queryClient?: QueryClient;
}) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={client}>
      <I18nProvider>
        {/* Inside the i18n provider so that its message is translated. */}
        <ErrorBoundary>{children}</ErrorBoundary>
      </I18nProvider>
    </QueryClientProvider>
  );
}
