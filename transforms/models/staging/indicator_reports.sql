/* config
materialized: incremental
unique_key: [indicator_code, period, unit_code_delivered]
version: _version
tags: [chi_tieu_kt_xh]
*/
-- KT-XH reports, one row per indicator × period × unit as delivered; a later delivery (a
-- correction) wins. A pre-2025 code keeps its own row, mapped to its 2025 unit, so the parts of a
-- merged unit add up in the marts instead of replacing each other.
with source as (
    select * from {{ source('chi_tieu_kt_xh') }}
),


loads as (
    select load_id, delivered_at from meta.loads final where dataset = 'chi_tieu_kt_xh' and status = 'committed'
),

typed as (
    select
        trimBoth(ma_chi_tieu) as indicator_code,
        upperUTF8(trimBoth(ky_bao_cao)) as period,
        multiIf(match(period, '^[0-9]{4}-[0-9]{2}$'), 'month', match(period, '^[0-9]{4}-Q[1-4]$'), 'quarter', 'year') as period_kind,
        trimBoth(ma_don_vi) as unit_code_delivered,
        if(crosswalk.new_code != '', crosswalk.new_code, unit_code_delivered) as unit_code,
        if(length(unit_code) = 2, 'province', 'commune') as unit_level,
        {{ parse_number(gia_tri) }} as value,
        {{ parse_number(ke_hoach) }} as plan,
        trimBoth(don_vi_tinh) as unit_of_measure,
        trimBoth(ghi_chu) as note,
        source._agency as agency,
        loads.delivered_at as delivered_at,
        source._load_id as _load_id, source._source as _source, source._row as _row, source._loaded_at as _loaded_at
    from source
    inner join loads on loads.load_id = source._load_id
    left join {{ ref('commune_map') }} as crosswalk on crosswalk.old_code = trimBoth(source.ma_don_vi)
)

select
    *,
    toUInt64(toUnixTimestamp64Milli(delivered_at)) * 1000000 + _row as _version
from typed
