import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { credentials } from "./credentials";

// Every request carries the current credentials (they change on sign-in and on the first add).
const withCredentials = new ApolloLink((operation, forward) => {
  operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
    headers: { ...headers, ...credentials.headers() },
  }));
  return forward(operation);
});

export const client = new ApolloClient({
  link: ApolloLink.from([withCredentials, new HttpLink({ uri: "/graphql" })]),
  // Carts and lines are normalized by id: a mutation's payload updates every view of them.
  cache: new InMemoryCache(),
});
