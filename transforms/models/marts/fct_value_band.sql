/* config
materialized: table
order_by: [indicator_code, unit_code, period_start]
tags: [quality]
*/
-- Each reported value against its history band: the mean ± 3σ of the same unit's earlier values
-- of that indicator (only once there are at least 4 of them).
with history as (
    select
        indicator_code,
        period,
        period_start,
        unit_code,
        agency,
        value,
        avg(value) over earlier as mean_before,
        stddevPop(value) over earlier as sd_before,
        count() over earlier as n_before
    from {{ ref('fct_indicator_value') }}
    where aggregation != 'component'
    window earlier as (partition by indicator_code, unit_code, period_kind order by period_start rows between unbounded preceding and 1 preceding)
)

select
    *,
    toBool(n_before >= 4 and sd_before > 0) as has_band,
    toBool(has_band and abs(value - mean_before) > 3 * sd_before) as outside_band
from history
