/* config
materialized: incremental
unique_key: [enterprise_code]
version: _version
tags: [doanh_nghiep]
*/
-- The business register with canonical codes (branches as 0100047516-001); latest update wins.
with source as (
    select * from {{ source('doanh_nghiep') }}
),


cleaned as (
    select
        replaceRegexpAll(ma_so_doanh_nghiep, '\\s', '') as raw_code,
        if(match(raw_code, '^[0-9]{13}$'), concat(substring(raw_code, 1, 10), '-', substring(raw_code, 11, 3)), raw_code) as enterprise_code,
        substring(enterprise_code, 1, 10) as parent_code,
        if(length(enterprise_code) = 14, substring(enterprise_code, 12, 3), '') as branch,
        trimBoth(replaceRegexpAll(normalizeUTF8NFC(ten_doanh_nghiep), '\\s+', ' ')) as name,
        {{ parse_date(ngay_thanh_lap) }} as founded_on,
        trimBoth(ma_xa) as commune_code_delivered,
        upperUTF8(trimBoth(nganh_vsic)) as vsic,
        {{ parse_number(von_dieu_le) }} as capital_mvnd,
        {{ enum_code('doanh_nghiep.trang_thai', trang_thai) }} as status,
        {{ parse_date(ngay_cap_nhat) }} as updated_on,
        _load_id, _agency, _source, _row, _loaded_at
    from source
)

select
    cleaned.* except (raw_code),
    if(crosswalk.new_code != '', crosswalk.new_code, commune_code_delivered) as commune_code,
    crosswalk.new_code != '' as commune_pre2025,
    toUInt64(toInt64(ifNull(updated_on, toDate32('1900-01-01'))) + 100000) * 10000000000000 + toUInt64(toUnixTimestamp64Milli(_loaded_at)) as _version
from cleaned
left join {{ ref('commune_map') }} as crosswalk on crosswalk.old_code = cleaned.commune_code_delivered
