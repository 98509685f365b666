-- Every value comes from the agency that owns its indicator (the loaders enforce it; this proves it).
select f.indicator_code, f.agency, i.owner
from {{ ref('fct_indicator_value') }} as f
inner join {{ ref('dim_indicator') }} as i on i.code = f.indicator_code
where f.agency != i.owner
