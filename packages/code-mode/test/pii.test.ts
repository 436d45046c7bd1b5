import { describe, expect, it } from "vitest"
import { Pii } from "../src/index.ts"

describe("Pii tokenizer", () => {
  it("replaces emails and phone numbers with stable tokens and restores them", () => {
    const t = Pii.make()
    const result = {
      customers: [
        { name: "Ada", email: "ada@example.com", phone: "+44 20 7946 0958", orders: 1234567 },
        { name: "Bob", email: "bob.smith@mail.example.org", note: "call (555) 123-4567 or ada@example.com" }
      ]
    }
    const seen = t.tokenize(result) as typeof result
    expect(seen.customers[0]).toEqual({
      name: "Ada",
      email: "[EMAIL_1]",
      phone: "[PHONE_1]",
      orders: 1234567
    })
    expect(seen.customers[1]).toEqual({
      name: "Bob",
      email: "[EMAIL_2]",
      note: "call [PHONE_2] or [EMAIL_1]"
    })
    expect(JSON.stringify(seen)).not.toMatch(/@|555|7946/)
    expect(t.size()).toBe(4)

    const args = t.untokenize({
      to: "[EMAIL_2]",
      cc: ["[EMAIL_1]"],
      body: "ring [PHONE_1]",
      other: "[EMAIL_9]"
    })
    expect(args).toEqual({
      to: "bob.smith@mail.example.org",
      cc: ["ada@example.com"],
      body: "ring +44 20 7946 0958",
      other: "[EMAIL_9]"
    })
  })

  it("takes extra patterns and refuses a bad token name", () => {
    const t = Pii.make([...Pii.defaultPatterns, { name: "SSN", pattern: /\b\d{3}-\d{2}-\d{4}\b/ }])
    expect(t.tokenize("ssn 123-45-6789")).toBe("ssn [SSN_1]")
    expect(() => Pii.make([{ name: "ssn", pattern: /x/ }])).toThrow(/upper-case/)
  })
})
