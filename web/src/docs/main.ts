// /docs: interactive API docs from the server's own GET /openapi.json, as
// FastAPI's /docs was for the original. A second Vite entry (docs.html), so
// Swagger UI's script and stylesheet are hashed files of the build and the
// page works under the server's CSP (script-src and style-src 'self', no
// CDN). The API base comes from config.json as for the dashboard, so "Try
// it out" calls the API wherever the deployment puts it (no `servers` in the
// document: Swagger UI then sends requests to the document's own origin).
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import { loadRuntimeConfig } from '@/lib/runtime-config';
import './docs.css';

const root = document.getElementById('swagger-ui');

async function start(node: HTMLElement): Promise<void> {
  const { apiBase } = await loadRuntimeConfig();
  SwaggerUIBundle({
    url: `${apiBase}/openapi.json`,
    domNode: node,
    tryItOutEnabled: true,
    // The token typed into "Authorize" is kept in localStorage across reloads.
    persistAuthorization: true,
    deepLinking: true,
    displayRequestDuration: true,
  });
}

if (root) {
  start(root).catch((error: unknown) => {
    const message = document.createElement('p');
    message.className = 'docs-error';
    message.setAttribute('role', 'alert');
    message.textContent = `Could not load the API docs: ${error instanceof Error ? error.message : String(error)}`;
    root.replaceChildren(message);
  });
}
