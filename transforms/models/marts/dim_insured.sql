/* config
materialized: table
order_by: [cccd, commune_code]
tags: [personal]
*/
-- People in social insurance, compulsory or voluntary: one row a person and commune, however many
-- kinds they pay. Kept apart from the counts so that a population-register delivery does not go
-- through millions of insurance rows again: it reads only the people here, in CCCD order, which
-- lets agg_people_commune join them to dim_citizen by merging two sorted tables.
select distinct p.cccd as cccd, p.ma_xa as commune_code
from {{ ref('ds_bhxh_tham_gia') }} as p final
where p.loai_bao_hiem in ('bhxh_bat_buoc', 'bhxh_tu_nguyen')
