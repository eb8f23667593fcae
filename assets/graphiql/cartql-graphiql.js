// Starts GraphiQL with the settings cartql put in the page as a JSON data block (no inline
// script, so the page works under a Content Security Policy that allows only this server's
// own scripts).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("cartql-settings").textContent);
  var fetcher = GraphiQL.createFetcher({ url: settings.endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: settings.query,
      defaultHeaders: settings.headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: settings.headers ? "headers" : true,
    })
  );
})();
