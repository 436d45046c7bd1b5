import { Schema } from "effect"

/** The catalog does not have the shape codegen needs; `path` points at the offending field. */
export class InvalidCatalog extends Schema.TaggedError<InvalidCatalog>()("InvalidCatalog", {
  path: Schema.String,
  message: Schema.String
}) {}

/** A search call was given options it cannot honour (e.g. a non-positive `limit`). */
export class InvalidSearchOptions extends Schema.TaggedError<InvalidSearchOptions>()("InvalidSearchOptions", {
  option: Schema.String,
  message: Schema.String
}) {}
