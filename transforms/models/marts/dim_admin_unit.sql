/* config
materialized: table
order_by: [code]
tags: [reference]
*/
-- The province and its communes (xã, phường, đặc khu) in force since 01/07/2025.
with units as (
    select * from meta.admin_units where province_code = {{ var('province_code') }}
),

province as (
    select province_code as code, province_name as name, 'tỉnh' as unit_type, 'province' as level, province_code, province_name
    from units
    limit 1
),

communes as (
    select commune_code as code, commune_name as name, commune_type as unit_type, 'commune' as level, province_code, province_name
    from units
)

select * from province
union all
select * from communes
