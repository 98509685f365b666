/* config
materialized: table
order_by: [agency, indicator_code, period, unit_code]
tags: [quality]
*/
-- Reported values outside their history band (mean ± 3σ of the same unit's earlier values, at
-- least 4), for a steward to confirm (the value is right) or reject (it is wrong).
with bands as (
    select * from {{ ref('fct_value_band') }} where outside_band
),

reviews as (
    select indicator_code, period, unit_code, argMax(decision, reviewed_at) as decision, argMax(reviewer, reviewed_at) as reviewer
    from meta.outlier_reviews
    group by indicator_code, period, unit_code
)

select
    bands.agency as agency,
    bands.indicator_code as indicator_code,
    bands.period as period,
    bands.unit_code as unit_code,
    bands.value as value,
    bands.mean_before as mean_before,
    bands.sd_before as sd_before,
    (bands.value - bands.mean_before) / bands.sd_before as z_score,
    if(reviews.decision = '', 'open', reviews.decision) as review,
    reviews.reviewer as reviewer
from bands
left join reviews
    on reviews.indicator_code = bands.indicator_code and reviews.period = bands.period and reviews.unit_code = bands.unit_code
