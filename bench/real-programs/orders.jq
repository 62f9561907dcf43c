# SPDX-License-Identifier: GPL-3.0-or-later
# Transforms an array of orders: totals per order, per customer and per
# region, the tags' statistics, and every order rewritten into a flat,
# renamed form.   jq -f orders.jq orders.json
def total: [.lines[] | .qty * .price] | add // 0;
map(. + {total: total, skus: [.lines[].sku] | unique})
| {
    customers: (group_by(.customer.id)
                | map({id: .[0].customer.id, name: .[0].customer.name, orders: length,
                       spent: (map(.total) | add), skus: (map(.skus[]) | unique | length)})
                | sort_by(-.spent) | .[:100]),
    regions: (group_by(.customer.region)
              | map({key: .[0].customer.region, value: {orders: length, revenue: (map(.total) | add)}})
              | from_entries),
    tags: ([.[].tags[]] | group_by(.) | map({tag: .[0], count: length})),
    months: (group_by(.date[0:7]) | map({month: .[0].date[0:7], n: length, words: (map(.note | split(" ") | length) | add)})),
    flat: map({order: "o\(.id)", who: "\(.customer.name) <\(.customer.id)>", when: .date,
               items: (.lines | map("\(.qty)x\(.sku)@\(.price)") | join(";")),
               tags: (.tags | join(",") | ascii_upcase), total: (.total * 100 | floor)})
  }
| .flat |= (sort_by(.total) | reverse)
| {customers, regions, tags, months, count: (.flat | length), sample: .flat[:20]}
