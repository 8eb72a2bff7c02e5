#!/bin/sh
# The reminders Loa ships, made with `loa remind add`: the gateways send each on its dates,
# exactly once, with the dates in the text (docs/calendar.md). Run it once after
# installing, as a user that may run `loa` (root, or a member of the loa group):
#
#   sh /usr/share/doc/loa/examples/reminders.sh                  # every ward of the config
#   WARDS="phuong-6 phuong-7" CHILD_WARDS=phuong-6 sh reminders.sh
#
# WARDS        the wards they go to (default: every ward of the config)
# CHILD_WARDS  wards whose resident lists have a "Ngày tiêm tiếp" column (dd/mm/yyyy or an
#              Excel date): each family there is reminded the day before its child's date
#              (default: none — `remind add` refuses a list without the column)
# GIO, DIA_DIEM  the vaccination round's hours and place, as the texts say them
# LOA          the loa command (default: loa); LOA_CONFIG the config (default /etc/loa/loa.yaml)
#
# A reminder already there is left as it is (`loa remind remove NAME`, then run this again, to
# make it anew). `loa remind list` shows each with its next three dates. The timer units
# (loa-treo-co.timer, loa-tiem-ngua.timer) and loa.cron are the alternative for machines where
# the gateway does not run; do not use both for the same reminder.
set -eu
LOA=${LOA:-loa}
GIO=${GIO:-"7 giờ 30 đến 10 giờ 30"}
DIA_DIEM=${DIA_DIEM:-"trạm y tế"}

# Adds reminder $1 unless one of that name exists (then it says so and leaves it); the rest
# are `loa remind add` options.
add() {
  $LOA remind add --if-absent "$@"
}

if [ -n "${WARDS:-}" ]; then
  set --
  for w in $WARDS; do set -- "$@" --ward "$w"; done
else
  set -- --all-wards
fi

# Tết: the holiday schedule a week before mùng 1, the whole break from the calendar's table.
add tet-lich-nghi --template lich-nghi-le "$@" --var "dip_le=Tết Nguyên đán" \
  --when "7 days before tet at 08:00"
# Giỗ Tổ Hùng Vương (10/3 âm lịch): hang the flag, the day before.
add gio-to-treo-co --template treo-co "$@" --var "dip_le=Giỗ Tổ Hùng Vương" \
  --when "1 day before gio-to at 08:00"
# National Day: hang the flag, three days before 2/9.
add quoc-khanh-treo-co --template treo-co "$@" --var "dip_le=Quốc khánh 2/9" \
  --when "3 days before national-day at 08:00"
# The monthly vaccination round on the 15th: the morning of the round.
add tiem-ngua-hang-thang --template tiem-ngua "$@" --var "gio=$GIO" --var "dia_diem=$DIA_DIEM" \
  --when "monthly on 15 at 06:30"
# Each child's own next vaccination: the day before, at 08:00.
if [ -n "${CHILD_WARDS:-}" ]; then
  set --
  for w in $CHILD_WARDS; do set -- "$@" --ward "$w"; done
  add tiem-tung-chau --template tiem-rieng "$@" --var "gio=$GIO" --var "dia_diem=$DIA_DIEM" \
    --when "1 day before column ngay_tiem_tiep at 08:00"
fi
$LOA remind list
