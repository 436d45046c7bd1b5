/**
 * Activity names. Every leaf step becomes an activity named by its path of step NAMES in the tree
 * (`triage/gather/searchLogs`), never by indexes, so inserting a sibling renames nothing else.
 * Combinators keep their generated names (`sequence(a, b)`, `retry(x)`) out of paths, since those
 * change when a child is added; a combinator given a name of its own adds that name.
 * `forEach` items add `[i]` at run time.
 */
import { type Primitive, Saga, Spec } from "@tta/core"
import { DuplicateStepPathError, UnsupportedStepError } from "./Errors.ts"
import { sleepOf, waitOf } from "./Steps.ts"

/** Kinds whose children the compiler walks; every other kind is one activity (a leaf). */
export const structuralKinds: ReadonlySet<string> = new Set([
  "sequence",
  "saga",
  "parallel",
  "fallback",
  "branch",
  "route",
  "retry",
  "timeout",
  "map",
  "tap",
  "for-each"
])

const generated = /^[A-Za-z]+\(.*\)$/s

export const join = (parent: string, name: string): string => (parent === "" ? name : `${parent}/${name}`)

/** The path a combinator's children are named under. */
export const base = (parent: string, p: Primitive.Any): string =>
  generated.test(p.name) ? parent : join(parent, p.name)

export const isLeaf = (p: Primitive.Any): boolean =>
  waitOf(p) !== undefined || sleepOf(p) !== undefined || !structuralKinds.has(p.kind)

/**
 * Walks the tree once at definition time: duplicate activity names and unsupported shapes are
 * typed errors thrown here, never found half-way through a run.
 */
export const check = (workflow: string, root: Primitive.Any): void => {
  const seen = new Set<string>()
  const waits = new Set<string>()
  const claim = (path: string, what: string) => {
    if (seen.has(path)) {
      throw new DuplicateStepPathError({
        workflow,
        path,
        message:
          `workflow ${JSON.stringify(workflow)}: two ${what}s have the path ${JSON.stringify(path)}; ` +
          "give one a distinct name (Primitive.withName) so each keeps its own journal entry"
      })
    }
    seen.add(path)
  }
  const walk = (p: Primitive.Any, parent: string, inRetry: string | undefined, suffix: string): void => {
    const wait = waitOf(p)
    if (wait !== undefined) {
      const key = `${wait.kind}/${wait.name}`
      if (waits.has(key)) {
        throw new DuplicateStepPathError({
          workflow,
          path: key,
          message: `workflow ${JSON.stringify(workflow)}: two ${wait.kind}s are named ${JSON.stringify(wait.name)}`
        })
      }
      waits.add(key)
      return
    }
    if (isLeaf(p)) {
      const path = join(parent, p.name) + suffix
      claim(path, "step")
      if (Saga.isSagaStep(p)) claim(`${path}/compensate`, "compensation")
      return
    }
    const spec = Spec.specOf(p)
    const here = base(parent, p)
    if (p.kind === "retry") {
      if (inRetry !== undefined) {
        throw new UnsupportedStepError({
          workflow,
          path: join(parent, p.name),
          message:
            `workflow ${JSON.stringify(workflow)}: ${p.name} is a retry inside ${inRetry}; ` +
            "nested retries cannot keep separate attempt journals - retry the inner step only"
        })
      }
      if (spec?.kind !== "retry") throw unsupported(workflow, parent, p, "a retry without its options")
    }
    if (
      (p.kind === "branch" || p.kind === "route" || p.kind === "tap" || p.kind === "timeout") &&
      spec === undefined
    ) {
      throw unsupported(workflow, parent, p, `a ${p.kind} built without @tta/core's combinator`)
    }
    if (p.kind === "branch" || p.kind === "route" || p.kind === "tap")
      claim(join(parent, p.name) + suffix, p.kind)
    if (p.kind === "timeout") claim(`${join(parent, p.name)}${suffix}/deadline`, "timeout")
    if (Saga.isSagaStep(p)) claim(`${join(parent, p.name)}${suffix}/compensate`, "compensation")
    const nextRetry = p.kind === "retry" ? p.name : inRetry
    const nextSuffix = p.kind === "for-each" ? `${suffix}[*]` : suffix
    for (const child of p.children) walk(child, here, nextRetry, nextSuffix)
  }
  walk(root, "", undefined, "")
}

const unsupported = (workflow: string, parent: string, p: Primitive.Any, what: string) =>
  new UnsupportedStepError({
    workflow,
    path: join(parent, p.name),
    message: `workflow ${JSON.stringify(workflow)}: ${p.name} is ${what}, which cannot be compiled durably`
  })
