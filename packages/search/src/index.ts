export * as TextIndex from "./TextIndex.ts"
export * as Tokenize from "./Tokenize.ts"
