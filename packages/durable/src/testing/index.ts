export * as PgTestCluster from "./PgTestCluster.ts"
