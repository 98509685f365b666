/* config
materialized: table
order_by: [agency, dataset, delivered_at]
tags: [quality, deliveries]
*/
-- Every delivery with its outcome and row counts (the basis of data-quality scores) and who sent it.
select
    load_id,
    dataset,
    agency,
    channel,
    delivered_by,
    source,
    status,
    period,
    delivered_at,
    rows_read,
    rows_loaded,
    rows_rejected,
    message
from meta.loads final
where status != 'started'
