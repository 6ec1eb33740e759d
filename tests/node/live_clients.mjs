// Subscribes to orderEvents with the two reference JavaScript clients, one per sub-protocol,
// and prints what each received as JSON: {"graphql-transport-ws": [ids], "graphql-ws": [ids],
// "refusedCloseCode": code}. Usage: node live_clients.mjs WS_URL TOKEN AFTER COUNT
import { createClient } from "graphql-ws";
import subscriptionsTransportWs from "subscriptions-transport-ws";
import WebSocket from "ws";

const { SubscriptionClient } = subscriptionsTransportWs;
const [url, token, after, countText] = process.argv.slice(2);
const count = Number(countText);
const query = "subscription ($after: ID) { orderEvents(after: $after) { id to } }";

function failAfter(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: timeout`)), ms));
}

function withGraphqlWs() {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { token },
                                retryAttempts: 0 });
  return new Promise((resolve, reject) => {
    const ids = [];
    const stop = client.subscribe({ query, variables: { after } }, {
      next: (result) => {
        if (result.errors) return reject(new Error(JSON.stringify(result.errors)));
        ids.push(result.data.orderEvents.id);
        if (ids.length === count) {
          stop();
          client.dispose();
          resolve(ids);
        }
      },
      error: (error) => reject(new Error(`graphql-ws: ${error?.code ?? error}`)),
      complete: () => {},
    });
  });
}

function withSubscriptionsTransportWs() {
  const client = new SubscriptionClient(url, { connectionParams: { token }, reconnect: false },
                                        WebSocket);
  return new Promise((resolve, reject) => {
    const ids = [];
    const subscription = client.request({ query, variables: { after } }).subscribe({
      next: (result) => {
        if (result.errors) return reject(new Error(JSON.stringify(result.errors)));
        ids.push(result.data.orderEvents.id);
        if (ids.length === count) {
          subscription.unsubscribe();
          client.close();
          resolve(ids);
        }
      },
      error: (error) => reject(new Error(`subscriptions-transport-ws: ${JSON.stringify(error)}`)),
    });
  });
}

function refusedCloseCode() {
  return new Promise((resolve) => {
    const client = createClient({
      url, webSocketImpl: WebSocket, connectionParams: { token: "not-a-token" }, retryAttempts: 0,
      on: { closed: (event) => { resolve(event.code); } },
    });
    client.subscribe({ query, variables: {} }, { next: () => {}, error: () => {}, complete: () => {} });
  });
}

const [modern, legacy, refused] = await Promise.race([
  Promise.all([withGraphqlWs(), withSubscriptionsTransportWs(), refusedCloseCode()]),
  failAfter(15000, "node clients"),
]);
console.log(JSON.stringify({ "graphql-transport-ws": modern, "graphql-ws": legacy,
                             refusedCloseCode: refused }));
process.exit(0);
