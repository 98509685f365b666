/* config
materialized: table
order_by: [code]
tags: [reference]
*/
-- The KT-XH indicator set and the components reported to compute its ratios.
select
    code,
    name_vi,
    name_en,
    unit,
    frequency,
    owner,
    aggregation,
    if(aggregation = 'component', 'component', 'indicator') as kind,
    numerator,
    denominator,
    multiplier,
    offset,
    level,
    sector,
    toUInt16(JSONExtractUInt(deadline_rule, 'days')) as deadline_days
from meta.indicators
