// Comptoir's GraphiQL page: our endpoint over HTTP and WebSocket (subscriptions), the README's
// example operations as tabs. A file of its own because the page's CSP forbids inline scripts.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("comptoir-graphiql-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href);
  var socket = new URL(endpoint.href);
  socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  // GraphiQL merges the headers pane into connection_init's payload, which is where the
  // server reads {"Authorization": "Bearer …"} on a WebSocket.
  var fetcher = GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: socket.href });
  var tabs = config.examples.map(function (example) {
    return { query: example.query };
  });
  // A shared link (?q=…, as Strawberry's page names it: ?query= is a GET operation) opens on
  // its operation: first of the examples in a fresh browser, or a new active tab beside the
  // tabs GraphiQL kept from earlier visits.
  var shared = new URLSearchParams(window.location.search).get("q") || undefined;
  if (shared) {
    tabs.unshift({ query: shared });
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      query: shared,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // A bearer token typed in the headers pane stays out of localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
