import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { setApiBase } from '@/lib/api-client';
import { resetSessionForTests } from '@/lib/session';
import { resetDb } from './mocks/handlers';
import { server } from './mocks/server';
import { sse } from './mocks/sse';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  resetDb();
  sse.reset();
  resetSessionForTests();
  localStorage.clear();
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  sse.reset();
  server.resetHandlers();
  // A test that loaded a config.json must not point the next one elsewhere.
  setApiBase('');
});
afterAll(() => server.close());
