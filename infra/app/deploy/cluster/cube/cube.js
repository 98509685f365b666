// The official Cube server's configuration for a kho cluster. Tokens are kho's (same secret), so
// the security context is kho's: { role, agency, commune_code, personal_data }. queryRewrite applies
// the same per-view rules as kho's own API (semantic/policy/view-policy.ts), read from
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
  const confined = (member, value) =>
    (query.filters || []).some((f) => f.member === member && f.operator === 'equals' && (f.values || []).length === 1 && f.values[0] === value)
  // Perturbing protected counts for the public is kho's (semantic/policy/disclosure.ts): refuse them here.
  const asPublic = (view, policy) => {
    if (policy.protect) throw new Error(`"${view}" is protected open data; query it through kho`)
  }
  for (const view of new Set(members.map((m) => m.split('.')[0]))) {
    const policy = POLICIES[view]
    if (!policy) throw new Error(`No access policy for "${view}"`)
    if (role === 'agency_officer') {
      if ((policy.owners || []).includes(ctx.agency)) continue
      const scope = ctx.commune_code && policy.communeMember ? [policy.communeMember, ctx.commune_code] : policy.agencyMember ? [policy.agencyMember, ctx.agency] : null
      if (scope && !(policy.open && !confined(scope[0], scope[1]))) filters.push({ member: scope[0], operator: 'equals', values: [scope[1]] })
      else if (policy.open) asPublic(view, policy)
      else throw new Error(`Agency ${ctx.agency} may not see "${view}"`)
      continue
    }
    if (!policy.open) throw new Error(`"${view}" is not open data; sign in`)
    asPublic(view, policy)
  }
  return { ...query, filters }
}

// The model: semantic/model, and the cubes and views kho generates from its catalogue (generated/).
const fs = require('node:fs')
const path = require('node:path')
function schemaFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ fileName: path.join(path.basename(dir), f), content: fs.readFileSync(path.join(dir, f), 'utf8') }))
}
const repositoryFactory = () => ({
  localPath: () => __dirname,
  dataSchemaFiles: async () => [...schemaFiles(path.join(__dirname, 'model')), ...schemaFiles(path.join(__dirname, 'generated'))],
})

module.exports = { queryRewrite, repositoryFactory }
