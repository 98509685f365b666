/* config
materialized: view
tags: [reference]
*/
-- Pre-2025 commune codes still in use, to the 2025 unit each maps to. An old commune split between
-- two units maps to the first listed; meta.commune_crosswalk keeps every pair and its date.
select old_code, any(new_code) as new_code
from meta.commune_crosswalk
group by old_code
