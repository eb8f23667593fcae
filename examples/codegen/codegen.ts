// graphql-codegen: typed documents (client preset) for the storefront operations.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../operations.graphql"],
  errorsOnInvalidDocuments: true,
  generates: {
    "./generated/": {
      preset: "client",
      // Plain result types: fragments spread into their parents' types.
      presetConfig: { fragmentMasking: false },
      config: {
        // Custom scalars arrive as strings: exact decimals and ISO 8601 timestamps.
        scalars: { Decimal: "string", DateTime: "string" },
        strictScalars: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
