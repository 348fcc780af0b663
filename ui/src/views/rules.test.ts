// The views render what the backend decides (#71): a test fails when the intake, the case page,
// the review, the case list or the key desk branches on a business type, a certificate kind or a
// project again (which of them take years, a unit, an annex is the backend's form model:
// `intake_form`; whether a case has an annex is its data).
import { describe, expect, it } from 'vitest'
import intake from './Intake.vue?raw'
import caseDetail from './CaseDetail.vue?raw'
import review from './Review.vue?raw'
import cases from './Cases.vue?raw'
import keyDesk from './KeyDesk.vue?raw'

const BUSINESS = ['new', 'renew', 'change', 'replace', 'unlock', 'revoke', 'suspend', 'key_recovery', 'annual_check', 'unsuspend']
const KINDS = ['organization', 'employee', 'personal']
const PROJECT = /['"`](netca|nmgca|bjca|cfca|snca|szca)-[a-z-]+['"`]/

/** every comparison with a quoted value: `x === 'employee'`, `'new' !== y` */
function comparedValues(source: string): string[] {
  const out: string[] = []
  for (const m of source.matchAll(/[!=]==?\s*'([a-z_]+)'|'([a-z_]+)'\s*[!=]==?/g)) out.push(m[1] ?? m[2])
  for (const m of source.matchAll(/\[([^\]]*)\]\.includes\(/g)) out.push(...[...m[1].matchAll(/'([a-z_]+)'/g)].map((x) => x[1]))
  return out
}

// the key desk's token forms are named after the key operation they do (解锁 'unlock', 'wipe'):
// no business type, whatever the word
const VIEWS: [string, string][] = [['Intake.vue', intake], ['CaseDetail.vue', caseDetail], ['Review.vue', review], ['Cases.vue', cases], ['KeyDesk.vue', keyDesk.replaceAll("tokenForm.kind === 'unlock'", '')]]

describe('the views', () => {
  it.each(VIEWS)('%s compares no business type or certificate kind and names no project', (_, source) => {
    const rules = comparedValues(source).filter((v) => BUSINESS.includes(v) || KINDS.includes(v))
    expect(rules).toEqual([])
    expect(source.match(PROJECT)).toBeNull()
  })
  it('the check finds such a branch where there is one', () => {
    expect(comparedValues("const annex = f.certKind === 'employee' || ['new', 'renew'].includes(f.business)")).toEqual(['employee', 'new', 'renew'])
  })
})
