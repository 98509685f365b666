/* config
materialized: table
order_by: [commune_code]
tags: [doanh_nghiep, reconciliation]
*/
-- Reconciliation: active enterprises reported (ENT_ACTIVE, latest month) against the business
-- register, by commune. A difference beyond 2 or 2% is flagged for a steward.
with reported as (
    select unit_code as commune_code, max(period) as period, argMax(value, period_start) as reported
    from {{ ref('fct_indicator_value') }}
    where indicator_code = 'ENT_ACTIVE' and unit_level = 'commune'
    group by unit_code
),

registry as (
    select commune_code, countIf(is_active and not is_branch) as registered
    from {{ ref('dim_enterprise') }}
    group by commune_code
)

select
    reported.commune_code as commune_code,
    reported.period as period,
    reported.reported as reported,
    ifNull(registry.registered, 0) as registered,
    reported.reported - registered as difference,
    toBool(abs(difference) > greatest(2, 0.02 * registered)) as flagged
from reported
left join registry on registry.commune_code = reported.commune_code
