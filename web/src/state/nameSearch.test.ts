import { describe, expect, it } from 'vitest'
import { nameContainsFilter, nameEqualsFilter, quoteLiteral } from './nameSearch'

describe('nameContainsFilter', () => {
  it('matches a trimmed substring case-insensitively', () => {
    expect(nameContainsFilter('  mnist ')).toBe("name ILIKE '%mnist%'")
  })

  it('is absent for a blank search', () => {
    expect(nameContainsFilter('')).toBeUndefined()
    expect(nameContainsFilter('   ')).toBeUndefined()
  })
})

describe('quoteLiteral', () => {
  it('picks a quote the text does not contain', () => {
    expect(quoteLiteral('plain')).toBe("'plain'")
    expect(quoteLiteral("bob's")).toBe(`"bob's"`)
    expect(quoteLiteral(`say "hi"`)).toBe(`'say "hi"'`)
  })

  it('falls back to a one-character wildcard when both quotes occur', () => {
    expect(quoteLiteral(`"bob's"`)).toBe(`'"bob_s"'`)
  })

  it('writes exact name filters', () => {
    expect(nameEqualsFilter('churn-model')).toBe("name = 'churn-model'")
    expect(nameEqualsFilter(`a'b"c`)).toBe(`name LIKE 'a_b"c'`)
  })
})
