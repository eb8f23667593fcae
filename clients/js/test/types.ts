// Type-checked by `npm run check` (never run): the configurations are accepted where Apollo
// Client and urql Graphcache expect theirs, and the session's fetch where they take a fetch.
import { HttpLink, InMemoryCache, type InMemoryCacheConfig } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange, type CacheExchangeOpts } from "@urql/exchange-graphcache";
import { apolloCacheConfig, apolloTypePolicies, createCartqlSession, graphcacheConfig } from "../dist/index.js";

const session = createCartqlSession();
const config: InMemoryCacheConfig = apolloCacheConfig;
export const apollo = [
  new InMemoryCache(config),
  new InMemoryCache({ typePolicies: apolloTypePolicies }),
  new HttpLink({ uri: "/graphql", fetch: session.fetch }),
];
const options: CacheExchangeOpts = { ...graphcacheConfig, logger: () => {} };
export const urql = new Client({ url: "/graphql", fetch: session.fetch, exchanges: [cacheExchange(options), fetchExchange] });
