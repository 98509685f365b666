/* config
materialized: table
order_by: [id_number]
by_key: { column: id_number, from: citizens }
tags: [dan_cu, personal]
*/
-- Personal data: served only to roles granted it, for a declared purpose.
-- load_id and source_row: the delivery and its file row each person's record came from (semantic/trace).
select id_number, id_kind, full_name, birth_date, gender, commune_code, address, flags, updated_on,
    _load_id as load_id, _row as source_row
from {{ ref('citizens') }} final
