// graphql-codegen: typed documents (client preset) for the storefront operations.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../operations.graphql"],
  errorsOnInvalidDocuments: true,
  generates: {
    "./generated/": {
      preset: "client",
      // Plain result types: fragments spread into their parents' types. The persisted
      // documents manifest (persisted-documents.json, sha256 → document) is what
      // CARTQL_PERSISTED_DOCUMENTS takes.
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
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
