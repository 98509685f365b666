/* config
materialized: table
order_by: [agency, indicator_code, period]
tags: [submissions]
*/
-- What each agency owed (indicator × period), when it was due and when it first arrived.
-- Due dates here count calendar days; working-day rules and holidays refine them in the quality work.
with indicators as (
    select code, owner, frequency, deadline_days from {{ ref('dim_indicator') }} where kind = 'indicator'
),

periods as (
    select period, kind, period_start, period_end from {{ ref('dim_period') }}
),

first_delivery as (
    select trimBoth(ma_chi_tieu) as indicator_code, upperUTF8(trimBoth(ky_bao_cao)) as period, min(loads.delivered_at) as received_at
    from {{ source('chi_tieu_kt_xh') }} as reports
    inner join (select load_id, delivered_at from meta.loads final where status = 'committed') as loads on loads.load_id = reports._load_id
    group by indicator_code, period
),

expected as (
    select
        indicators.owner as agency,
        indicators.code as indicator_code,
        periods.period as period,
        periods.period_start as period_start,
        periods.period_end as period_end,
        addDays(periods.period_end, indicators.deadline_days) as due_on
    from indicators
    inner join periods on periods.kind = multiIf(indicators.frequency = 'monthly', 'month', indicators.frequency = 'quarterly', 'quarter', 'year')
    where periods.period_start >= (select min(period_start) from {{ ref('fct_indicator_value') }})
      and periods.period_end < today()
)

select
    expected.*,
    first_delivery.received_at as received_at,
    multiIf(first_delivery.received_at is null and expected.due_on >= today(), 'pending',
            first_delivery.received_at is null, 'missing',
            toDate(first_delivery.received_at) <= expected.due_on, 'on_time', 'late') as status,
    if(status = 'late', dateDiff('day', expected.due_on, toDate(first_delivery.received_at)), 0) as days_late
from expected
left join first_delivery on first_delivery.indicator_code = expected.indicator_code and first_delivery.period = expected.period
settings join_use_nulls = 1
