/* config
materialized: table
order_by: [quarter_start, agency]
tags: [quality]
*/
-- Data quality of each reporting agency by quarter, on the five criteria (each 0–100):
--   completeness = obligations received / obligations due (KT-XH reports)
--   validity     = rows passing their contract / rows delivered
--   timeliness   = obligations received on time / obligations due
--   consistency  = reconciliation checks passing / checks run (where the agency has any)
--   accuracy     = values inside their history band (mean ± 3σ of the unit's earlier values, at
--                  least 4), or outside it but confirmed by a steward / values with such a band
-- The composite is the mean of the criteria the agency has; agencies are ranked by it per quarter.
with obligations as (
    select agency, toStartOfQuarter(period_start) as quarter_start, status
    from {{ ref('fct_submission') }}
    where status != 'pending'
),

timeliness as (
    select
        agency,
        quarter_start,
        count() as due,
        countIf(status in ('on_time', 'late')) / count() * 100 as completeness,
        countIf(status = 'on_time') / count() * 100 as timeliness
    from obligations
    group by agency, quarter_start
),

validity as (
    select agency, toStartOfQuarter(toDate(delivered_at)) as quarter_start, sum(rows_read - rows_rejected) / nullIf(sum(rows_read), 0) * 100 as validity
    from {{ ref('fct_delivery') }}
    where status in ('committed', 'refused')
    group by agency, quarter_start
),

-- Reported figures checked against what kho computes from the registers speak for the agency
-- owning the indicator (Sở Tài chính for ENT_ACTIVE, BHXH for SI_PARTICIPANTS, …).
consistency as (
    select agency, toStartOfQuarter(toDate(concat(reported_period, '-01'))) as quarter_start, countIf(not disagrees) / count() * 100 as consistency
    from {{ ref('fct_indicator_check') }}
    where reported is not null
    group by agency, quarter_start
),

confirmed as (
    select indicator_code, period, unit_code from {{ ref('fct_value_outlier') }} where review = 'confirmed'
),

accuracy as (
    select
        bands.agency as agency,
        toStartOfQuarter(bands.period_start) as quarter_start,
        countIf(not bands.outside_band or confirmed.indicator_code != '') / count() * 100 as accuracy,
        countIf(bands.outside_band and confirmed.indicator_code = '') as outliers
    from {{ ref('fct_value_band') }} as bands
    left join confirmed
        on confirmed.indicator_code = bands.indicator_code and confirmed.period = bands.period and confirmed.unit_code = bands.unit_code
    where bands.has_band
    group by agency, quarter_start
),

-- Every agency and quarter any criterion speaks of: a delivery's validity counts in the quarter it
-- arrived even when nothing fell due then (a quarterly register sent for the quarter before).
quarters as (
    select distinct assumeNotNull(agency) as agency, assumeNotNull(quarter_start) as quarter_start
    from (
        select agency, quarter_start from timeliness
        union all select agency, quarter_start from validity
        union all select agency, quarter_start from consistency
        union all select agency, quarter_start from accuracy
    )
),

scores as (
    select
        q.agency as agency,
        q.quarter_start as quarter_start,
        ifNull(t.due, 0) as obligations,
        t.completeness as completeness,
        v.validity as validity,
        t.timeliness as timeliness,
        c.consistency as consistency,
        a.accuracy as accuracy,
        ifNull(a.outliers, 0) as outliers
    from quarters as q
    left join timeliness as t on t.agency = q.agency and t.quarter_start = q.quarter_start
    left join validity as v on v.agency = q.agency and v.quarter_start = q.quarter_start
    left join consistency as c on c.agency = q.agency and c.quarter_start = q.quarter_start
    left join accuracy as a on a.agency = q.agency and a.quarter_start = q.quarter_start
    settings join_use_nulls = 1
),

composite as (
    select
        *,
        arrayAvg(arrayMap(x -> assumeNotNull(x), arrayFilter(x -> isNotNull(x), [completeness, validity, timeliness, consistency, accuracy]))) as composite
    from scores
)

select
    *,
    rank() over (partition by quarter_start order by composite desc) as rank
from composite
