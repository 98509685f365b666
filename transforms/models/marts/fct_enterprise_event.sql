/* config
materialized: table
order_by: [event, event_date, enterprise_code]
by_key: { column: enterprise_code, from: dim_enterprise }
tags: [doanh_nghiep]
*/
-- Registrations from founding dates; suspensions, resumptions and dissolutions from the status as
-- last updated. An enterprise's events come from its own row alone: a delivery rebuilds only the
-- enterprises it carried (by_key).
with enterprises as (
    select * from {{ ref('dim_enterprise') }}
)

select enterprise_code, commune_code, 'registered' as event, assumeNotNull(founded_on) as event_date, capital_mvnd
from enterprises where founded_on is not null and not is_branch
union all
select enterprise_code, commune_code,
       multiIf(status = 'tam_ngung', 'suspended', status = 'giai_the', 'dissolved', 'resumed') as event,
       assumeNotNull(updated_on) as event_date, capital_mvnd
from enterprises where status in ('tam_ngung', 'giai_the', 'hoat_dong_tro_lai') and updated_on is not null and not is_branch
