/* config
materialized: table
order_by: [period]
tags: [reference]
*/
-- Months, quarters and years from 2015 to 2035 with the labels Vietnamese reports use.
with months as (
    select addMonths(toDate('2015-01-01'), number) as start from numbers(21 * 12)
),

periods as (
    select
        formatDateTime(start, '%Y-%m') as period, 'month' as kind, start as period_start, toLastDayOfMonth(start) as period_end,
        concat('tháng ', toString(toMonth(start)), '/', toString(toYear(start))) as label_vi,
        concat(formatDateTime(start, '%b'), ' ', toString(toYear(start))) as label_en
    from months
    union all
    select
        concat(toString(toYear(start)), '-Q', toString(toQuarter(start))), 'quarter', start, toLastDayOfMonth(addMonths(start, 2)),
        concat('Quý ', ['I', 'II', 'III', 'IV'][toQuarter(start)], '/', toString(toYear(start))),
        concat('Q', toString(toQuarter(start)), ' ', toString(toYear(start)))
    from months where toMonth(start) in (1, 4, 7, 10)
    union all
    select toString(toYear(start)), 'year', start, toDate(concat(toString(toYear(start)), '-12-31')),
           concat('năm ', toString(toYear(start))), toString(toYear(start))
    from months where toMonth(start) = 1
)

select
    period,
    kind,
    period_start,
    period_end,
    toYear(period_start) as year,
    toQuarter(period_start) as quarter,
    if(kind = 'month', toMonth(period_start), 0) as month,
    label_vi,
    label_en
from periods
