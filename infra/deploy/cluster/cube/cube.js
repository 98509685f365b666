// The official Cube server's configuration for a kho cluster. Tokens are kho's (same secret), so
// the security context is kho's: { role, agency, commune_code, personal_data }. queryRewrite applies
// the same per-view rules as kho's own API (semantic/access/policy.ts), read from
// view-policies.json, which a kho test keeps equal to the policy in code. Suppression of small
// cells for the public is kho's: expose only kho's API to the public, not this server.
const { views: POLICIES, personalMembers } = require('./view-policies.json')

const PROVINCIAL = ['leader', 'analyst', 'steward', 'admin']

function membersOf(query) {
  return [
    ...(query.measures || []),
    ...(query.dimensions || []),
    ...(query.segments || []),
    ...(query.timeDimensions || []).map((t) => t.dimension),
    ...(query.filters || []).flatMap(function walk(f) {
      return f.member ? [f.member] : [...(f.and || []), ...(f.or || [])].flatMap(walk)
    }),
  ]
}

function queryRewrite(query, { securityContext }) {
  const ctx = securityContext || {}
  const role = ctx.role || 'public'
  const members = membersOf(query)
  const personal = members.filter((m) => personalMembers.includes(m))
  if (personal.length > 0 && !(ctx.personal_data && String(ctx.purpose || '').trim().length >= 5)) {
    throw new Error(`Personal-data members (${personal.join(', ')}) need an account granted personal data and a declared purpose`)
  }
  if (PROVINCIAL.includes(role)) return query
  const filters = [...(query.filters || [])]
  for (const view of new Set(members.map((m) => m.split('.')[0]))) {
    const policy = POLICIES[view]
    if (!policy) throw new Error(`No access policy for "${view}"`)
    if (role === 'agency_officer') {
      if (ctx.commune_code && policy.communeMember) filters.push({ member: policy.communeMember, operator: 'equals', values: [ctx.commune_code] })
      else if ((policy.owners || []).includes(ctx.agency)) continue
      else if (policy.agencyMember) filters.push({ member: policy.agencyMember, operator: 'equals', values: [ctx.agency] })
      else if (!policy.open) throw new Error(`Agency ${ctx.agency} may not see "${view}"`)
      continue
    }
    if (!policy.open) throw new Error(`"${view}" is not open data; sign in`)
  }
  return { ...query, filters }
}

module.exports = { queryRewrite }
