/* config
materialized: table
order_by: [agency, dataset, period]
tags: [submissions, deliveries]
*/
-- What each owner agency owed for its datasets, period by period (KT-XH reports are owed per indicator,
-- in fct_submission). Two kinds of rule, from the catalogue:
--   period end + N days (a monthly register snapshot due on the 15th): a delivery covers the period it
--     names, else the last period ended before it arrived; the first delivery decides on time / late
--     (working days past the due day, moved off weekends and holidays), a refused one makes "rejected";
--   change + N working days (a register kept current): one row a month, late when any change of the
--     month arrived late (fct_change_arrival), missing when nothing at all arrived in a month.
-- Obligations start with the agency's first delivery of the dataset.
with rules as (
    select
        id as dataset,
        owner as agency,
        JSONExtractString(deadline_rule, 'after') as after,
        toInt32(JSONExtractInt(deadline_rule, 'days')) as days,
        multiIf(update_frequency = 'monthly', 'month', update_frequency = 'quarterly', 'quarter', 'year') as period_kind
    from meta.datasets
    where JSONExtractString(definition, 'delivered_by') = 'owner'
),

periods as (
    select period, kind, period_start, period_end from {{ ref('dim_period') }}
),

loads as (
    select
        loads.dataset as dataset,
        loads.agency as agency,
        loads.status as status,
        loads.period as named_period,
        loads.delivered_at as delivered_at,
        toDate(loads.delivered_at, 'Asia/Ho_Chi_Minh') as delivered_on,
        rules.period_kind as period_kind,
        rules.after as after
    from meta.loads as loads final
    inner join rules on rules.dataset = loads.dataset and rules.agency = loads.agency
    where loads.status in ('committed', 'refused')
),

-- The period each periodic delivery covers: the one it names, else the last one ended before it arrived.
covered as (
    select
        loads.dataset as dataset,
        loads.agency as agency,
        loads.status as status,
        loads.delivered_at as delivered_at,
        if(named.period != '', named.period, last_ended.period) as period
    from loads
    left join periods as named on named.period = loads.named_period and named.kind = loads.period_kind
    asof left join periods as last_ended on last_ended.kind = loads.period_kind and last_ended.period_end < loads.delivered_on
    where loads.after = 'period_end'
    settings join_use_nulls = 0
),

periodic_received as (
    select
        dataset, agency, period,
        minIf(delivered_at, status = 'committed') as received_at,
        countIf(status = 'committed') as deliveries,
        minIf(delivered_at, status = 'refused') as refused_at,
        countIf(status = 'refused') as refusals
    from covered
    where period != ''
    group by dataset, agency, period
),

periodic_owed as (
    select
        rules.dataset as dataset,
        rules.agency as agency,
        periods.period as period,
        periods.period_start as period_start,
        periods.period_end as period_end,
        addDays(periods.period_end, rules.days) as nominal_due
    from rules
    inner join periods on periods.kind = rules.period_kind
    inner join (select dataset, agency, min(period_start) as first_start from periodic_received
                inner join periods using (period) group by dataset, agency) as first
        on first.dataset = rules.dataset and first.agency = rules.agency
    where rules.after = 'period_end'
      and periods.period_start >= first.first_start
      and periods.period_end < {{ today() }}
),

periodic_due as (
    select periodic_owed.*, days.due_day as due_on, days.due_day_number as due_day_number
    from periodic_owed
    inner join {{ ref('dim_day') }} as days on days.date = periodic_owed.nominal_due
),

periodic as (
    select
        d.agency as agency,
        d.dataset as dataset,
        d.period as period,
        d.period_start as period_start,
        d.period_end as period_end,
        d.due_on as due_on,
        if(r.deliveries > 0, r.received_at, null) as received_at,
        multiIf(r.deliveries > 0 and toDate(r.received_at, 'Asia/Ho_Chi_Minh') <= d.due_on, 'on_time',
                r.deliveries > 0, 'late',
                r.refusals > 0, 'rejected',
                d.due_on >= {{ today() }}, 'pending',
                'missing') as status,
        toBool(r.deliveries > 1) as resubmitted,
        if(r.refusals > 0, r.refused_at, null) as refused_at,
        if(status = 'late', toUInt32(greatest(toInt64(received.working_day_number) - toInt64(d.due_day_number), 0)), toUInt32(0)) as days_late,
        toUInt64(0) as changes,
        toUInt64(0) as changes_late
    from periodic_due as d
    left join periodic_received as r on r.dataset = d.dataset and r.agency = d.agency and r.period = d.period
    left join {{ ref('dim_day') }} as received on received.date = toDate(r.received_at, 'Asia/Ho_Chi_Minh')
    settings join_use_nulls = 0
),

change_months as (
    select
        rules.dataset as dataset,
        rules.agency as agency,
        periods.period as period,
        periods.period_start as period_start,
        periods.period_end as period_end
    from rules
    inner join periods on periods.kind = 'month'
    inner join (select dataset, agency, min(delivered_on) as first_day from loads where after = 'change' group by dataset, agency) as first
        on first.dataset = rules.dataset and first.agency = rules.agency
    where rules.after = 'change'
      and periods.period_end >= first.first_day
      and periods.period_start <= {{ today() }}
),

change_deliveries as (
    select dataset, agency, toStartOfMonth(delivered_on) as month,
           maxIf(delivered_at, status = 'committed') as last_received, countIf(status = 'committed') as deliveries,
           maxIf(delivered_at, status = 'refused') as refused_at, countIf(status = 'refused') as refusals
    from loads
    where after = 'change'
    group by dataset, agency, month
),

change_arrivals as (
    select dataset, agency, toStartOfMonth(changed_on) as month, count() as changes, countIf(days_late > 0) as changes_late,
           max(days_late) as most_days_late, max(due_on) as last_due
    from {{ ref('fct_change_arrival') }} final
    group by dataset, agency, month
),

changes as (
    select
        m.agency as agency,
        m.dataset as dataset,
        m.period as period,
        m.period_start as period_start,
        m.period_end as period_end,
        if(a.changes > 0, a.last_due, m.period_end) as due_on,
        if(d.deliveries > 0, d.last_received, null) as received_at,
        multiIf(a.changes_late > 0, 'late',
                d.deliveries > 0 or a.changes > 0, 'on_time',
                d.refusals > 0, 'rejected',
                m.period_end >= {{ today() }}, 'pending',
                'missing') as status,
        toBool(false) as resubmitted,
        if(d.refusals > 0, d.refused_at, null) as refused_at,
        toUInt32(a.most_days_late) as days_late,
        toUInt64(a.changes) as changes,
        toUInt64(a.changes_late) as changes_late
    from change_months as m
    left join change_deliveries as d on d.dataset = m.dataset and d.agency = m.agency and d.month = m.period_start
    left join change_arrivals as a on a.dataset = m.dataset and a.agency = m.agency and a.month = m.period_start
    settings join_use_nulls = 0
)

select * from periodic
union all
select * from changes
