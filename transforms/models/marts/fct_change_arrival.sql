/* config
materialized: incremental
unique_key: [dataset, agency, record_key, changed_on]
version: _version
tags: [submissions]
*/
-- Not tagged `deliveries`: it reads only the registers kept on a change rule (their source() makes a
-- delivery of one select it) and those loads' times, so a delivery of another dataset leaves it as is.
-- Incremental: a delivery's run reads only the loads not taken in yet; the same change arriving again
-- keeps its first arrival (the version is larger the earlier it came), and the register's first
-- delivery is taken from every committed load, so an incremental run ends where a full one does.
-- Readers read it FINAL. A changed calendar (dim_day) applies to old rows after a full refresh.
-- Registers kept on the rule "a change arrives within N working days" (catalogue: deadline after
-- change, changed_on column): each change with the day it happened at the source, the day kho first
-- received it, its due day and the working days late. Changes dated before the register's first
-- delivery are its history, not obligations; a change dated after its delivery is a data error and is
-- left to the contract checks. One select per such register, because the change column differs; a test
-- keeps this list equal to the catalogue's.
with changes as (
    select
        'doanh_nghiep' as dataset,
        _agency as agency,
        replaceRegexpAll(ma_so_doanh_nghiep, '\\s', '') as record_key,
        {{ parse_date(ngay_cap_nhat) }} as changed_on,
        _load_id as load_id
    from {{ source('doanh_nghiep') }}
),

rules as (
    select id as dataset, toUInt32(JSONExtractUInt(deadline_rule, 'working_days')) as working_days
    from meta.datasets
    where JSONExtractString(deadline_rule, 'after') = 'change'
),

arrivals as (
    select
        changes.dataset as dataset,
        changes.agency as agency,
        changes.record_key as record_key,
        assumeNotNull(changes.changed_on) as changed_on,
        min(loads.delivered_at) as received_at,
        argMin(loads.load_id, loads.delivered_at) as load_id
    from changes
    inner join committed as loads on loads.load_id = changes.load_id
    where changes.changed_on is not null
    group by dataset, agency, record_key, changed_on
),

committed as (
    select load_id, dataset, agency, delivered_at, rows_loaded from meta.loads final where status = 'committed'
),

first_delivery as (
    select dataset, agency, min(toDate(delivered_at, 'Asia/Ho_Chi_Minh')) as first_day from committed where rows_loaded > 0 group by dataset, agency
)

select
    arrivals.dataset as dataset,
    arrivals.agency as agency,
    arrivals.record_key as record_key,
    arrivals.changed_on as changed_on,
    arrivals.received_at as received_at,
    arrivals.load_id as load_id,
    due.date as due_on,
    -- A change on a weekend or holiday counts from the working day before it, so its N days start after.
    toUInt32(greatest(toInt64(received.working_day_number) - toInt64(changed.working_day_number) - toInt64(rules.working_days), 0)) as days_late,
    toUInt64(10000000000000 - toUnixTimestamp64Milli(arrivals.received_at)) as _version
from arrivals
inner join rules on rules.dataset = arrivals.dataset
inner join first_delivery on first_delivery.dataset = arrivals.dataset and first_delivery.agency = arrivals.agency
inner join {{ ref('dim_day') }} as changed on changed.date = arrivals.changed_on
inner join {{ ref('dim_day') }} as received on received.date = toDate(arrivals.received_at, 'Asia/Ho_Chi_Minh')
inner join (select date, working_day_number from {{ ref('dim_day') }} where is_working_day) as due
    on due.working_day_number = changed.working_day_number + rules.working_days
where arrivals.changed_on >= first_delivery.first_day
  and arrivals.changed_on <= toDate(arrivals.received_at, 'Asia/Ho_Chi_Minh')
