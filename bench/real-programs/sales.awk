# SPDX-License-Identifier: GPL-3.0-or-later
# Aggregates a sales CSV (date,region,store,product,customer,quantity,
# unit_price): revenue per region, per month and product, per store; the
# distinct customers of each region (gawk's arrays of arrays); a ranking of
# products; and a per-customer text log built by string concatenation.
#   gawk -F, -f sales.awk sales.csv
NR == 1 { next }
{
  revenue = $6 * $7
  month = substr($1, 1, 7)
  by_region[$2] += revenue
  by_month_product[month][$4] += revenue
  by_store[$2 "/" $3] += revenue
  qty[$4] += $6
  customers[$2][$5]++
  if (length(log_of[$5]) < 400) log_of[$5] = log_of[$5] sprintf("%s:%s:%d;", $1, $4, $6)
  split($4, kind, "-")
  by_kind[kind[1]][kind[2]] += $6
  lines++
}
END {
  PROCINFO["sorted_in"] = "@ind_str_asc"
  for (r in by_region) {
    n = 0
    for (c in customers[r]) n++
    printf "%-8s %14.2f %6d customers\n", r, by_region[r], n
  }
  for (m in by_month_product) {
    best = ""; top = -1
    for (p in by_month_product[m]) if (by_month_product[m][p] > top) { top = by_month_product[m][p]; best = p }
    printf "%s best %s %.2f\n", m, best, top
  }
  PROCINFO["sorted_in"] = "@val_num_desc"
  k = 0
  for (s in by_store) { if (++k > 5) break; printf "store %s %.2f\n", s, by_store[s] }
  n = asorti(qty, names)
  joined = ""
  for (i = 1; i <= n; i++) joined = joined names[i] "=" qty[names[i]] " "
  total = 0
  for (c in log_of) total += length(log_of[c])
  printf "%d lines, %d products, log %d bytes\n", lines, n, total
  print substr(joined, 1, 200)
}
