// The Content-Security-Policy the real server sends with the dashboard's HTML,
// read from its one definition in the C++ source, so that the stand-in server
// (fake-cargomon.mjs) sends the same policy and the e2e suite can check the
// header of whichever server it runs against.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/api/handlers/static_files.cpp',
);

/** The policy: the adjacent string literals of `kContentSecurityPolicy`, joined. */
export function serverCsp() {
  const source = readFileSync(SOURCE, 'utf8');
  const definition = /kContentSecurityPolicy\s*=\s*((?:\s*"(?:[^"\\]|\\.)*")+)\s*;/.exec(source);
  if (!definition) throw new Error(`kContentSecurityPolicy is not defined in ${SOURCE}`);
  return [...definition[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
}
