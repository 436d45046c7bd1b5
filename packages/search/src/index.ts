export * as FieldIndex from "./FieldIndex.ts"
export * as Synonyms from "./Synonyms.ts"
export * as TextIndex from "./TextIndex.ts"
export * as Tokenize from "./Tokenize.ts"
