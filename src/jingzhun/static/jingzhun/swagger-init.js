// The API docs page (/api/docs) with the vendored Swagger UI, under the strict CSP (no inline script).
(function () {
  var body = document.body.dataset;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  if (body.apiCsrf && body.csrfToken) {
    // session-authenticated "Try it out" needs Django's CSRF header
    config.requestInterceptor = function (req) { req.headers["X-CSRFToken"] = body.csrfToken; return req; };
  }
  window.ui = SwaggerUIBundle(config);
})();
