/* config
materialized: table
order_by: [indicator_code, period_start, unit_code]
tags: [chi_tieu_kt_xh]
*/
-- Each indicator's value and plan by period and admin unit, as last reported by its owner.
with reports as (
    select * from {{ ref('indicator_reports') }} final
),

periods as (
    select period, period_start, period_end, year from {{ ref('dim_period') }}
)

select
    reports.indicator_code as indicator_code,
    reports.period as period,
    reports.period_kind as period_kind,
    periods.period_start as period_start,
    periods.period_end as period_end,
    periods.year as year,
    reports.unit_code as unit_code,
    reports.unit_level as unit_level,
    reports.value as value,
    reports.plan as plan,
    reports.agency as agency,
    reports.delivered_at as submitted_at,
    reports._load_id as load_id
from reports
inner join periods on periods.period = reports.period
