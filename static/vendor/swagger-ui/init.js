// Start Swagger UI on /docs: the schema from this server, nothing fetched from elsewhere
// (no online validator), no inline script (the page's CSP allows none).
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    layout: "BaseLayout",
  });
});
