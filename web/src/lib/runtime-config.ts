// The deployment's settings, read at startup from config.json beside
// index.html rather than baked in at build time: the same web/dist then
// serves cargomon's own --web-dir, one CloudFront distribution in front of
// both S3 and the API, or a static host on another origin than the API.
import { z } from 'zod';

/** Where config.json lives: beside index.html, wherever the app is mounted. */
export const CONFIG_PATH = `${import.meta.env.BASE_URL}config.json`;

function isApiOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // A query, fragment or credentials would be silently mangled when paths are
  // appended: refuse them so the mistake shows at startup.
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    !value.includes('?') &&
    !value.includes('#')
  );
}

// Strict: an unknown key is most likely a misspelt one ("apiBAse"), which
// would otherwise fall back to the same origin without a word.
export const runtimeConfigSchema = z.strictObject({
  apiBase: z
    .string()
    .trim()
    .refine((v) => v === '' || isApiOrigin(v), {
      message: 'apiBase must be "" (same origin) or an http(s) URL without query or fragment',
    })
    .transform((v) => v.replace(/\/+$/, '')),
});
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

/** No config.json at all: the API is on the page's origin, as before config.json existed. */
export const SAME_ORIGIN: RuntimeConfig = { apiBase: '' };

export type ConfigErrorKind = 'http' | 'network' | 'json' | 'invalid';

export class ConfigError extends Error {
  readonly kind: ConfigErrorKind;
  constructor(kind: ConfigErrorKind, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.kind = kind;
  }
}

/** Validates config.json's parsed content; throws ConfigError('invalid') with what is wrong. */
export function parseRuntimeConfig(data: unknown): RuntimeConfig {
  const parsed = runtimeConfigSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${where}: ${issue.message}`;
  });
  throw new ConfigError('invalid', problems.join('; '));
}

/**
 * Fetches and validates config.json. A 404 means there is none, i.e. the
 * same origin (cargomon's --web-dir has no config.json); any other failure
 * is an error for the start screen to show, never a guess.
 */
export async function loadRuntimeConfig(signal?: AbortSignal): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetch(CONFIG_PATH, {
      // Accept without text/html: Vite's dev server and SPA-style hosts then
      // answer 404 instead of index.html for a missing file.
      headers: { Accept: 'application/json' },
      // Redeploys change it under the same name.
      cache: 'no-store',
      signal: signal ?? null,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ConfigError('network', String(cause));
  }
  if (response.status === 404) return SAME_ORIGIN;
  if (!response.ok) throw new ConfigError('http', `HTTP ${response.status}`);
  let data: unknown;
  try {
    data = await response.json();
  } catch (cause) {
    throw new ConfigError('json', cause instanceof Error ? cause.message : String(cause));
  }
  return parseRuntimeConfig(data);
}
