/* config
materialized: table
order_by: [enterprise_code]
by_key: { column: enterprise_code, from: enterprises }
tags: [doanh_nghiep]
*/
-- Enterprises and their branches as registered now.
select
    enterprise_code,
    parent_code,
    branch,
    toBool(branch != '') as is_branch,
    name,
    founded_on,
    commune_code,
    vsic,
    capital_mvnd,
    status,
    {{ enum_label('doanh_nghiep.trang_thai', status) }} as status_label,
    toBool(status in ('dang_hoat_dong', 'hoat_dong_tro_lai')) as is_active,
    updated_on,
    -- The delivery and its file row each enterprise's record came from (semantic/trace).
    _load_id as load_id,
    _row as source_row
from {{ ref('enterprises') }} final
