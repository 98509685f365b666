/* config
materialized: table
order_by: [agency, dataset, code]
tags: [quality, deliveries]
*/
-- Rejected rows by agency, dataset, column and reason code, with one example each.
select
    agency,
    dataset,
    column,
    code,
    count() as rejected_rows,
    any(reason_vi) as example_reason
from meta.rejects
group by agency, dataset, column, code
