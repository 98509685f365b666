/* config
materialized: table
order_by: [commune_code]
tags: [reconciliation]
*/
-- The people registers counted by commune, once: residents and those aged 15–60 (dan_cu), people
-- in social insurance, compulsory or voluntary, once each, and those of them aged 15–60 joined on
-- CCCD (bhxh_tham_gia). Apart from the enterprises (agg_register_commune) so that a business-
-- register delivery does not count millions of residents again.
with residents as (
    select
        commune_code,
        count() as people,
        countIf(birth_date is not null and dateDiff('year', birth_date, today()) between 15 and 60) as working_age
    from {{ ref('dim_citizen') }}
    group by commune_code
),

insured as (
    select
        p.ma_xa as commune_code,
        uniqExact(p.cccd) as participants,
        uniqExactIf(p.cccd, c.id_number != '' and c.birth_date is not null and dateDiff('year', c.birth_date, today()) between 15 and 60) as participants_working_age
    from {{ ref('ds_bhxh_tham_gia') }} as p final
    left join {{ ref('dim_citizen') }} as c on c.id_number = p.cccd
    where p.loai_bao_hiem in ('bhxh_bat_buoc', 'bhxh_tu_nguyen')
    group by commune_code
)

select
    ifNull(coalesce(r.commune_code, i.commune_code), '') as commune_code,
    toUInt64(ifNull(r.people, 0)) as people,
    toUInt64(ifNull(r.working_age, 0)) as working_age,
    toUInt64(ifNull(i.participants, 0)) as participants,
    toUInt64(ifNull(i.participants_working_age, 0)) as participants_working_age
from residents as r
full outer join insured as i on i.commune_code = r.commune_code
settings join_use_nulls = 1
