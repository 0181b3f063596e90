// swagger-ui-dist ships its prebuilt ES bundle without types.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  interface SwaggerUIOptions {
    url: string;
    domNode: Element;
    tryItOutEnabled?: boolean;
    persistAuthorization?: boolean;
    deepLinking?: boolean;
    displayRequestDuration?: boolean;
  }
  const SwaggerUIBundle: (options: SwaggerUIOptions) => unknown;
  export default SwaggerUIBundle;
}
