/* config
materialized: table
order_by: [code]
tags: [reference]
*/
-- Owner agencies: departments, central agencies in the province, the province and commune people's committees.
select
    code,
    name,
    kind,
    parent,
    commune_code,
    multiIf(kind = 'so', 'Sở, ngành', kind = 'ubnd_xa', 'UBND xã, phường', kind = 'co_quan_trung_uong', 'Cơ quan trung ương', 'UBND tỉnh') as kind_label
from meta.agencies
