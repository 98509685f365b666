/* config
materialized: table
order_by: [indicator_code, unit_level, unit_code]
tags: [reconciliation]
*/
-- Indicators kho computes itself from the integrated registers, beside what the owner agency reported:
--   POP_RESIDENT     residents in the population register (dan_cu);
--   ENT_ACTIVE       active enterprises, branches not counted, in the business register (doanh_nghiep);
--   SI_PARTICIPANTS  people in social insurance, compulsory or voluntary (bhxh_tham_gia), once each;
--   SI_COVERAGE      those participants aged 15–60 over the residents aged 15–60 × 100, joined on CCCD —
--                    the reported rate divides by the labour force, so both numbers are shown.
--   and every indicator a registered dataset declares its rows compute (`computes` in its entry:
--   TRAFFIC_ACC and TRAFFIC_DEATHS from the police's accident register), through std.indicator_computed.
-- By commune and for the province. Each is compared with the value reported for the same unit and
-- the same month its data covers (a register's latest snapshot; the business register is kept
-- current, so last month) — like with like: an earlier month's report is kept beside it for
-- reference (last_reported), never differenced. Beyond 2 and 2% (half a point for a rate) the two
-- disagree.
with snapshot as (
    select
        dataset,
        argMax(if(period != '', period, formatDateTime(addMonths(toDate(delivered_at, 'Asia/Ho_Chi_Minh'), -1), '%Y-%m')), delivered_at) as period
    from meta.loads final
    where status = 'committed' and dataset in ('dan_cu', 'doanh_nghiep', 'bhxh_tham_gia')
    group by dataset
),

counts as (
    select * from {{ ref('agg_register_commune') }}
),

-- What kho computes for every commune of the province (none in a register is 0): the value, and a
-- rate's numerator and denominator.
computed as (
    select 'POP_RESIDENT' as indicator_code, s.period as period, c.commune_code as unit_code,
           toFloat64(c.people) as numerator, toFloat64(0) as denominator, 'dan_cu' as basis
    from counts as c
    cross join (select period from snapshot where dataset = 'dan_cu') as s
    union all
    select 'ENT_ACTIVE', s.period, c.commune_code, toFloat64(c.active_enterprises), toFloat64(0), 'doanh_nghiep'
    from counts as c
    cross join (select period from snapshot where dataset = 'doanh_nghiep') as s
    union all
    select 'SI_PARTICIPANTS', s.period, c.commune_code, toFloat64(c.participants), toFloat64(0), 'bhxh_tham_gia'
    from counts as c
    cross join (select period from snapshot where dataset = 'bhxh_tham_gia') as s
    union all
    select 'SI_COVERAGE', s.period, c.commune_code, toFloat64(c.participants_working_age), toFloat64(c.working_age), 'bhxh_tham_gia, dan_cu'
    from counts as c
    cross join (select period from snapshot where dataset = 'bhxh_tham_gia') as s
    where c.working_age > 0
    union all
    -- What registered datasets declare their rows compute (std.indicator_computed: accidents and
    -- deaths from the accident register), for the latest month each covers: every commune, 0 where
    -- none happened.
    select d.indicator_code, d.period, c.commune_code, toFloat64(ifNull(v.value, 0)), toFloat64(0), d.basis
    from (select indicator_code, max(period) as period, any(basis) as basis from {{ ref('indicator_computed') }} group by indicator_code) as d
    cross join (select commune_code from counts) as c
    left join {{ ref('indicator_computed') }} as v
        on v.indicator_code = d.indicator_code and v.period = d.period and v.unit_code = c.commune_code
),

-- Commune rows and the province's (counts added; a rate from the added numerator and denominator).
levels as (
    select indicator_code, period, unit_code, 'commune' as unit_level, numerator, denominator, basis from computed
    union all
    select indicator_code, any(period), {{ var('province_code') }}, 'province', sum(numerator), sum(denominator), any(basis)
    from computed
    group by indicator_code
),

reported as (
    select indicator_code, unit_code, period as reported_period, period_start, value as reported
    from {{ ref('fct_indicator_value') }}
    where indicator_code in (select distinct indicator_code from computed) and period_kind = 'month' and value is not null
),

checked as (
    select
        levels.indicator_code as indicator_code,
        levels.period as period,
        toDate(concat(levels.period, '-01')) as period_start,
        levels.unit_code as unit_code,
        levels.unit_level as unit_level,
        if(levels.denominator > 0, round(levels.numerator / levels.denominator * 100, 2), levels.numerator) as computed,
        levels.numerator as numerator,
        levels.denominator as denominator,
        toBool(levels.denominator > 0) as is_rate,
        levels.basis as basis
    from levels
),

matched as (
    select
        checked.*,
        reported.reported_period as own_period,
        reported.reported as own_reported
    from checked
    asof left join reported
        on reported.indicator_code = checked.indicator_code
        and reported.unit_code = checked.unit_code
        and reported.period_start <= checked.period_start
    settings join_use_nulls = 1
),

-- A count reported by commune only: the province's reported figure is the communes' added, for
-- the month compared (and, for reference, for the latest month any commune reported).
from_communes as (
    select
        indicator_code,
        sumIf(own_reported, own_period = period) as communes_reported,
        countIf(own_period = period) as communes_reporting,
        max(own_period) as communes_last_period
    from matched
    where unit_level = 'commune' and not is_rate and own_reported is not null
    group by indicator_code
),

communes_last as (
    select matched.indicator_code as indicator_code, sum(matched.own_reported) as communes_last_reported
    from matched
    inner join from_communes on from_communes.indicator_code = matched.indicator_code and from_communes.communes_last_period = matched.own_period
    where matched.unit_level = 'commune' and not matched.is_rate and matched.own_reported is not null
    group by matched.indicator_code
)

select
    matched.indicator_code as indicator_code,
    matched.period as period,
    matched.period_start as period_start,
    matched.unit_code as unit_code,
    matched.unit_level as unit_level,
    matched.computed as computed,
    matched.numerator as numerator,
    matched.denominator as denominator,
    matched.is_rate as is_rate,
    matched.basis as basis,
    indicators.owner as agency,
    if(matched.own_reported is null and matched.unit_level = 'province', from_communes.communes_last_period, matched.own_period) as last_reported_period,
    if(matched.own_reported is null and matched.unit_level = 'province', communes_last.communes_last_reported, matched.own_reported) as last_reported,
    -- Like with like: the figure reported for the month kho's data covers, or none yet.
    multiIf(
        matched.own_reported is null and matched.unit_level = 'province', if(from_communes.communes_reporting > 0, from_communes.communes_reported, NULL),
        matched.own_period = matched.period, matched.own_reported,
        NULL) as reported,
    if(reported is null, NULL, matched.period) as reported_period,
    reported - matched.computed as difference,
    toBool(reported is not null and abs(difference) > if(matched.is_rate, 0.5, greatest(2, 0.02 * abs(matched.computed)))) as disagrees
from matched
inner join {{ ref('dim_indicator') }} as indicators on indicators.code = matched.indicator_code
left join from_communes on from_communes.indicator_code = matched.indicator_code
left join communes_last on communes_last.indicator_code = matched.indicator_code
settings join_use_nulls = 1
