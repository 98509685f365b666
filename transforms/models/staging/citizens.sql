/* config
materialized: incremental
unique_key: [id_number]
version: _version
tags: [dan_cu, personal]
*/
-- The population register, typed and standardised; a person delivered twice keeps the latest update.
with source as (
    select * from {{ source('dan_cu') }}
),


cleaned as (
    select
        replaceRegexpAll(cccd, '[\\s.]', '') as id_number,
        multiIf(length(id_number) = 12, 'cccd', length(id_number) = 9, 'cmnd', 'khac') as id_kind,
        trimBoth(replaceRegexpAll(normalizeUTF8NFC(ho_ten), '\\s+', ' ')) as full_name,
        {{ parse_date(ngay_sinh) }} as birth_date,
        multiIf(lowerUTF8(trimBoth(gioi_tinh)) in ('nam', 'male', 'm'), 'nam',
                lowerUTF8(trimBoth(gioi_tinh)) in ('nữ', 'nu', 'female', 'f'), 'nu', '') as gender,
        trimBoth(ma_xa) as commune_code_delivered,
        trimBoth(normalizeUTF8NFC(dia_chi)) as address,
        {{ parse_date(ngay_cap_nhat) }} as updated_on,
        _load_id, _agency, _source, _row, _loaded_at
    from source
),

final as (
    select
        cleaned.*,
        if(crosswalk.new_code != '', crosswalk.new_code, commune_code_delivered) as commune_code,
        -- What the 12 digits say, checked against the record beside them.
        if(id_kind = 'cccd', 1900 + intDiv(toUInt16OrZero(substring(id_number, 4, 1)), 2) * 100 + toUInt16OrZero(substring(id_number, 5, 2)), 0) as cccd_birth_year,
        if(id_kind = 'cccd', if(toUInt8OrZero(substring(id_number, 4, 1)) % 2 = 0, 'nam', 'nu'), '') as cccd_gender,
        arrayFilter(f -> f != '', [
            if(id_kind = 'cmnd', 'legacy_cmnd', ''),
            if(crosswalk.new_code != '', 'commune_pre2025', ''),
            if(id_kind = 'cccd' and birth_date is not null and cccd_birth_year != toYear(birth_date), 'cccd_birth_year_mismatch', ''),
            if(id_kind = 'cccd' and gender != '' and cccd_gender != gender, 'cccd_gender_mismatch', '')
        ]) as flags,
        -- The latest update wins; between equal updates, the later load.
        toUInt64(toInt64(ifNull(updated_on, toDate32('1900-01-01'))) + 100000) * 10000000000000 + toUInt64(toUnixTimestamp64Milli(_loaded_at)) as _version
    from cleaned
    left join {{ ref('commune_map') }} as crosswalk on crosswalk.old_code = cleaned.commune_code_delivered
)

select * from final
