/* config
materialized: table
order_by: [commune_code]
tags: [reconciliation]
*/
-- What the integrated registers hold for each commune, counted once for the indicators kho
-- computes itself (fct_indicator_check reads these few rows many times over): the people registers'
-- counts (agg_people_commune: residents, those aged 15–60 and those of them insured; dim_insured:
-- social-insurance participants) and the active enterprises, branches not counted (doanh_nghiep). Every commune of the province has a row
-- (0 where a register has nobody).
with registry as (
    select commune_code, countIf(is_active and not is_branch) as active
    from {{ ref('dim_enterprise') }}
    group by commune_code
),

insured as (
    select commune_code, count() as participants
    from {{ ref('dim_insured') }}
    group by commune_code
),

communes as (
    select code as commune_code from {{ ref('dim_admin_unit') }} where level = 'commune'
)

select
    u.commune_code as commune_code,
    toUInt64(ifNull(p.people, 0)) as people,
    toUInt64(ifNull(p.working_age, 0)) as working_age,
    toUInt64(ifNull(i.participants, 0)) as participants,
    toUInt64(ifNull(p.participants_working_age, 0)) as participants_working_age,
    toUInt64(ifNull(g.active, 0)) as active_enterprises
from communes as u
left join {{ ref('agg_people_commune') }} as p on p.commune_code = u.commune_code
left join insured as i on i.commune_code = u.commune_code
left join registry as g on g.commune_code = u.commune_code
settings join_use_nulls = 1
