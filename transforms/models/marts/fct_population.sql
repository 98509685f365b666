/* config
materialized: table
order_by: [commune_code, age_band, gender, load_id]
delta: { from: dim_citizen, group_by: [commune_code, age_band, gender, load_id] }
tags: [dan_cu]
*/
-- Residents by commune, age band and gender: counts only, no personal data.
-- key_sum adds up each resident's record key (a fixed 32-bit hash of the CCCD): the cell key of
-- any group of people is the sum of their keys, so the same people always make the same key and
-- the public's perturbed counts (semantic/policy/disclosure.ts) cannot be averaged away. Both are
-- sums over residents, so a population delivery updates them by its residents' difference (delta).
-- By delivery too (load_id): how many of a cell's people each delivery gave is what a trace of a
-- count answers (semantic/trace) without reading the register; a cell has a few deliveries.
with people as (
    select commune_code, gender, dateDiff('year', birth_date, {{ today() }}) as age,
           cityHash64(id_number) % 4294967296 as record_key, load_id
    from {{ ref('dim_citizen') }}
    where birth_date is not null and gender != ''
)

select
    commune_code,
    multiIf(age < 15, '0-14', age < 25, '15-24', age < 35, '25-34', age < 45, '35-44', age < 55, '45-54', age < 65, '55-64', '65+') as age_band,
    gender,
    load_id,
    count() as people,
    sum(record_key) as key_sum
from people
group by commune_code, age_band, gender, load_id
