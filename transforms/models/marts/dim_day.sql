/* config
materialized: table
order_by: [date]
tags: [reference]
*/
-- Every day of meta.calendar with its running working-day number, and the working day a deadline
-- falling on it is due: the day itself, or the next working day after a weekend or holiday. The
-- one place deadlines are moved and lateness is counted in working days.
with working as (
    select 1 as k, date, working_day_number from meta.calendar where is_working_day
)

select
    days.date as date,
    days.is_working_day as is_working_day,
    days.working_day_number as working_day_number,
    working.date as due_day,
    working.working_day_number as due_day_number
from (select 1 as k, * from meta.calendar) as days
-- ASOF needs an equality as well as the inequality: k is the same constant on both sides.
asof inner join working on working.k = days.k and days.date <= working.date
