/* config
materialized: table
order_by: [commune_code]
tags: [reconciliation]
*/
-- What the integrated registers hold for each commune, counted once for the indicators kho
-- computes itself (fct_indicator_check reads these few rows many times over): residents and those
-- aged 15–60 (dan_cu), people in social insurance, compulsory or voluntary, once each, and those of
-- them aged 15–60 joined on CCCD (bhxh_tham_gia), and active enterprises, branches not counted
-- (doanh_nghiep). Every commune of the province has a row (0 where a register has nobody).
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
),

registry as (
    select commune_code, countIf(is_active and not is_branch) as active
    from {{ ref('dim_enterprise') }}
    group by commune_code
),

communes as (
    select code as commune_code from {{ ref('dim_admin_unit') }} where level = 'commune'
)

select
    u.commune_code as commune_code,
    toUInt64(ifNull(r.people, 0)) as people,
    toUInt64(ifNull(r.working_age, 0)) as working_age,
    toUInt64(ifNull(i.participants, 0)) as participants,
    toUInt64(ifNull(i.participants_working_age, 0)) as participants_working_age,
    toUInt64(ifNull(g.active, 0)) as active_enterprises
from communes as u
left join residents as r on r.commune_code = u.commune_code
left join insured as i on i.commune_code = u.commune_code
left join registry as g on g.commune_code = u.commune_code
settings join_use_nulls = 1
