// Typed documents for the storefront's operations (the graphql(`…`) calls in src/), from
// cartql's committed schema.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/**/*.tsx", "src/**/*.ts", "!src/gql/**/*"],
  errorsOnInvalidDocuments: true,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Decimal: "string", DateTime: "string" },
        strictScalars: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
