/* config
materialized: table
order_by: [agency, dataset, indicator_code, period]
tags: [submissions, deliveries]
*/
-- What each agency owed, when it was due and when it first arrived: on time, late (working days
-- late), rejected (sent but refused as a whole), pending (not yet due) or missing; resubmitted when
-- corrected later. KT-XH reports are owed per indicator × period (here); datasets per period or per
-- change (fct_dataset_submission, whose rows have an empty indicator_code). A due date falling on a
-- weekend or holiday moves to the next working day (dim_day).
with indicators as (
    select code, owner, frequency, deadline_days from {{ ref('dim_indicator') }} where kind = 'indicator'
),

periods as (
    select period, kind, period_start, period_end from {{ ref('dim_period') }}
),

first_delivery as (
    select
        trimBoth(ma_chi_tieu) as indicator_code,
        upperUTF8(trimBoth(ky_bao_cao)) as period,
        min(loads.delivered_at) as received_at,
        uniqExact(loads.load_id) as deliveries
    from {{ source('chi_tieu_kt_xh') }} as reports
    inner join (select load_id, delivered_at from meta.loads final where status = 'committed') as loads on loads.load_id = reports._load_id
    group by indicator_code, period
),

-- Deliveries refused as a whole (too many bad rows) for an agency and period: what was sent but not accepted.
refused as (
    select agency, period, min(delivered_at) as refused_at
    from meta.loads final
    where dataset = 'chi_tieu_kt_xh' and status = 'refused' and period != ''
    group by agency, period
),

obligations as (
    select
        indicators.owner as agency,
        indicators.code as indicator_code,
        periods.period as period,
        periods.period_start as period_start,
        periods.period_end as period_end,
        addDays(periods.period_end, indicators.deadline_days) as nominal_due
    from indicators
    inner join periods on periods.kind = multiIf(indicators.frequency = 'monthly', 'month', indicators.frequency = 'quarterly', 'quarter', 'year')
    -- Obligations start with the first period of each kind the province has collected.
    inner join (select period_kind, min(period_start) as first_start from {{ ref('fct_indicator_value') }} group by period_kind) as collected
        on collected.period_kind = periods.kind
    where periods.period_start >= collected.first_start
      and periods.period_end < {{ today() }}
),

expected as (
    select
        obligations.agency as agency,
        obligations.indicator_code as indicator_code,
        obligations.period as period,
        obligations.period_start as period_start,
        obligations.period_end as period_end,
        days.due_day as due_on,
        days.due_day_number as due_day_number
    from obligations
    inner join {{ ref('dim_day') }} as days on days.date = obligations.nominal_due
),

indicator_obligations as (
select
    expected.agency as agency,
    'chi_tieu_kt_xh' as dataset,
    expected.indicator_code as indicator_code,
    expected.period as period,
    expected.period_start as period_start,
    expected.period_end as period_end,
    expected.due_on as due_on,
    first_delivery.received_at as received_at,
    multiIf(first_delivery.received_at is not null and toDate(first_delivery.received_at, 'Asia/Ho_Chi_Minh') <= expected.due_on, 'on_time',
            first_delivery.received_at is not null, 'late',
            refused.refused_at is not null, 'rejected',
            expected.due_on >= {{ today() }}, 'pending',
            'missing') as status,
    toBool(ifNull(first_delivery.deliveries, 0) > 1) as resubmitted,
    refused.refused_at as refused_at,
    toUInt32(if(status = 'late', toInt64(received_day.working_day_number) - toInt64(expected.due_day_number), 0)) as days_late,
    toUInt64(0) as changes,
    toUInt64(0) as changes_late
from expected
left join first_delivery on first_delivery.indicator_code = expected.indicator_code and first_delivery.period = expected.period
left join {{ ref('dim_day') }} as received_day on received_day.date = toDate(first_delivery.received_at, 'Asia/Ho_Chi_Minh')
left join refused on refused.agency = expected.agency and refused.period = expected.period
settings join_use_nulls = 1
)

select * from indicator_obligations
union all
select agency, dataset, '' as indicator_code, period, period_start, period_end, due_on, received_at, status, resubmitted, refused_at, days_late, changes, changes_late
from {{ ref('fct_dataset_submission') }}
