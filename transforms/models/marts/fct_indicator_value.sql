/* config
materialized: table
order_by: [indicator_code, period_start, unit_code]
tags: [chi_tieu_kt_xh]
*/
-- Each indicator's value and plan by period and admin unit, as last reported by its owner, with
-- what the semantic layer needs to aggregate it by its rule: the ratio's numerator and denominator
-- (from the operands reported for the same period and unit), the same period last year, and the
-- year to date ("lũy kế").
with reports as (
    select * from {{ ref('indicator_reports') }} final
),

periods as (
    select period, period_start, period_end, year from {{ ref('dim_period') }}
),

indicators as (
    select code, aggregation, numerator, denominator, multiplier, offset from {{ ref('dim_indicator') }}
),

base as (
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
        reports._load_id as load_id,
        reports._row as source_row,
        indicators.aggregation as aggregation,
        indicators.numerator as numerator,
        indicators.denominator as denominator,
        indicators.multiplier as multiplier,
        indicators.offset as offset
    from reports
    inner join periods on periods.period = reports.period
    inner join indicators on indicators.code = reports.indicator_code
),

-- Values by code, period and unit, to look up ratio operands.
operands as (
    select indicator_code, period, unit_code, sum(value) as operand_value from base group by indicator_code, period, unit_code
),

with_operands as (
    select
        base.indicator_code as indicator_code,
        base.period as period,
        base.period_kind as period_kind,
        base.period_start as period_start,
        base.period_end as period_end,
        base.year as year,
        base.unit_code as unit_code,
        base.unit_level as unit_level,
        base.value as value,
        base.plan as plan,
        base.agency as agency,
        base.submitted_at as submitted_at,
        base.load_id as load_id,
        base.source_row as source_row,
        base.aggregation as aggregation,
        base.numerator as numerator,
        base.denominator as denominator,
        base.multiplier as multiplier,
        base.offset as offset,
        if(base.aggregation = 'ratio', num.operand_value, NULL) as numerator_value,
        if(base.aggregation = 'ratio', den.operand_value, NULL) as denominator_value
    from base
    left join operands as num on num.indicator_code = base.numerator and num.period = base.period and num.unit_code = base.unit_code
    left join operands as den on den.indicator_code = base.denominator and den.period = base.period and den.unit_code = base.unit_code
    settings join_use_nulls = 1
),

-- Year to date within each indicator, unit and year, in period order.
with_ytd as (
    select
        *,
        sum(value) over ytd as value_sum_ytd,
        sum(plan) over ytd as plan_sum_ytd,
        sum(numerator_value) over ytd as numerator_ytd,
        sum(denominator_value) over ytd as denominator_ytd
    from with_operands
    window ytd as (partition by indicator_code, unit_code, year, period_kind order by period_start rows between unbounded preceding and current row)
),

final as (
    select
        * except (value_sum_ytd, plan_sum_ytd),
        if(aggregation = 'sum', value_sum_ytd, value) as value_ytd,
        if(aggregation = 'sum', plan_sum_ytd, plan) as plan_ytd
    from with_ytd
)

select
    final.indicator_code as indicator_code,
    final.period as period,
    final.period_kind as period_kind,
    final.period_start as period_start,
    final.period_end as period_end,
    final.year as year,
    final.unit_code as unit_code,
    final.unit_level as unit_level,
    final.value as value,
    final.plan as plan,
    final.agency as agency,
    final.submitted_at as submitted_at,
    final.load_id as load_id,
    -- Where the value was delivered (the file's row, with load_id): what a trace shows (semantic/trace).
    final.source_row as source_row,
    final.aggregation as aggregation,
    final.numerator as numerator,
    final.denominator as denominator,
    final.multiplier as multiplier,
    final.offset as offset,
    final.numerator_value as numerator_value,
    final.denominator_value as denominator_value,
    final.numerator_ytd as numerator_ytd,
    final.denominator_ytd as denominator_ytd,
    final.value_ytd as value_ytd,
    final.plan_ytd as plan_ytd,
    last_year.value as value_prev_year,
    last_year.numerator_value as numerator_prev_year,
    last_year.denominator_value as denominator_prev_year,
    last_year.value_ytd as value_ytd_prev_year
from final
left join final as last_year
    on last_year.indicator_code = final.indicator_code
    and last_year.unit_code = final.unit_code
    and last_year.period_kind = final.period_kind
    and last_year.period_start = addYears(final.period_start, -1)
settings join_use_nulls = 1
