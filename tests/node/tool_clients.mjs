// The server through the clients frontends use: Apollo Client (HttpLink behind the
// persisted-queries link, GraphQLWsLink) and urql (persisted, fetch and subscription
// exchanges over graphql-ws). For each: a subscription to one order's events, a catalog query
// twice (persisted query: miss then hit by hash only, by GET), the order's cancellation (a
// mutation) and the event it pushes. Prints {apollo: {...}, urql: {...}} as JSON.
// Usage: node tool_clients.mjs HTTP_URL WS_URL TOKEN AFTER APOLLO_ORDER URQL_ORDER
import { createHash } from "node:crypto";

import apolloCore from "@apollo/client/core/core.cjs";
import apolloPersisted from "@apollo/client/link/persisted-queries/persisted-queries.cjs";
import apolloSubscriptions from "@apollo/client/link/subscriptions/subscriptions.cjs";
import apolloUtilities from "@apollo/client/utilities/utilities.cjs";
import { Client, fetchExchange, gql as urqlGql, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { ApolloClient, HttpLink, InMemoryCache, gql, split } = apolloCore;
const { createPersistedQueryLink } = apolloPersisted;
const { GraphQLWsLink } = apolloSubscriptions;
const { getMainDefinition } = apolloUtilities;

const [httpUrl, wsUrl, token, after, apolloOrder, urqlOrder] = process.argv.slice(2);
const CATALOG = "query Catalogue { products(first: 2) { edges { node { name } } } }";
const CANCEL = `mutation Annuler($orderId: ID!) {
  cancelOrder(orderId: $orderId, reason: "Plus besoin") { errors { code } order { status } } }`;
const EVENTS = `subscription Suivi($orderId: ID, $after: ID) {
  orderEvents(orderId: $orderId, after: $after) { id to } }`;
const bearer = { Authorization: `Bearer ${token}` };

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

function failAfter(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: timeout`)), ms));
}

// Every HTTP exchange as the server saw it: method, whether the document or only its hash was
// sent, whether the answer was the persisted-query miss, and its Cache-Control.
function recordingFetch(exchanges) {
  return async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    let sent = {};
    if (method === "GET") {
      sent = { query: url.searchParams.get("query"),
               extensions: JSON.parse(url.searchParams.get("extensions") ?? "null") };
    } else {
      sent = JSON.parse(init.body);
    }
    const response = await fetch(input, init);
    const text = await response.clone().text();
    exchanges.push({
      method, operation: sent.operationName ?? url.searchParams.get("operationName"),
      document: Boolean(sent.query), hash: Boolean(sent.extensions?.persistedQuery),
      miss: text.includes("PersistedQueryNotFound"),
      cacheControl: response.headers.get("cache-control"),
    });
    return response;
  };
}

function firstEvent(subscribe) {
  return new Promise((resolve, reject) => {
    const stop = subscribe({
      next: (result) => {
        if (result.errors) reject(new Error(JSON.stringify(result.errors)));
        else { stop(); resolve(result.data.orderEvents); }
      },
      error: (error) => reject(new Error(`subscription: ${JSON.stringify(error)}`)),
    });
  });
}

function names(data) {
  return data.products.edges.map((edge) => edge.node.name);
}

async function withApollo() {
  const exchanges = [];
  const ws = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token },
                            retryAttempts: 0 });
  const http = createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({ uri: httpUrl, fetch: recordingFetch(exchanges) }));
  const link = split(({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  }, new GraphQLWsLink(ws), http);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const event = firstEvent((sink) => {
    const subscription = client.subscribe({
      query: gql(EVENTS), variables: { orderId: apolloOrder, after } }).subscribe(sink);
    return () => subscription.unsubscribe();
  });
  const first = await client.query({ query: gql(CATALOG), fetchPolicy: "network-only" });
  const second = await client.query({ query: gql(CATALOG), fetchPolicy: "network-only" });
  const cancelled = await client.mutate({ mutation: gql(CANCEL),
                                          variables: { orderId: apolloOrder },
                                          context: { headers: bearer } });
  const pushed = await Promise.race([event, failAfter(15000, "apollo event")]);
  await ws.dispose();
  client.stop();
  return { products: [names(first.data), names(second.data)],
           cancelled: cancelled.data.cancelOrder, event: pushed, exchanges };
}

async function withUrql() {
  const exchanges = [];
  const ws = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token },
                            retryAttempts: 0 });
  const client = new Client({
    url: httpUrl,
    fetch: recordingFetch(exchanges),
    exchanges: [
      persistedExchange({ preferGetForPersistedQueries: true, enableForMutation: true,
                          generateHash: async (query) => sha256(query) }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  const event = firstEvent((sink) => {
    const { unsubscribe } = client.subscription(urqlGql(EVENTS),
                                                { orderId: urqlOrder, after }).subscribe(
      (result) => (result.error ? sink.error(result.error) : sink.next(result)));
    return unsubscribe;
  });
  const policy = { requestPolicy: "network-only" };
  const first = await client.query(urqlGql(CATALOG), {}, policy).toPromise();
  const second = await client.query(urqlGql(CATALOG), {}, policy).toPromise();
  const cancelled = await client.mutation(urqlGql(CANCEL), { orderId: urqlOrder },
                                          { fetchOptions: { headers: bearer } }).toPromise();
  if (first.error || second.error || cancelled.error) {
    throw new Error(String(first.error ?? second.error ?? cancelled.error));
  }
  const pushed = await Promise.race([event, failAfter(15000, "urql event")]);
  await ws.dispose();
  return { products: [names(first.data), names(second.data)],
           cancelled: cancelled.data.cancelOrder, event: pushed, exchanges };
}

const apollo = await withApollo();
const urql = await withUrql();
process.stdout.write(JSON.stringify({ apollo, urql }));
process.exit(0);
