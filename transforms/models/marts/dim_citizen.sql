/* config
materialized: table
order_by: [id_number]
by_key: { column: id_number, from: citizens }
tags: [dan_cu, personal]
*/
-- Personal data: served only to roles granted it, for a declared purpose.
select id_number, id_kind, full_name, birth_date, gender, commune_code, address, flags, updated_on
from {{ ref('citizens') }} final
