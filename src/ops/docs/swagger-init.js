// swagger-init.js: starts Swagger UI on /api/openapi.json (served as a file so
// the page needs no inline script under its Content-Security-Policy).
window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // Tags start collapsed: with every operation expanded at once, Swagger UI
    // 5.35 stopped after the first tag once the document passed ~135
    // operations (seen in tests/browser/docs.test.mjs).
    docExpansion: 'none',
    filter: true,
    displayRequestDuration: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
});
