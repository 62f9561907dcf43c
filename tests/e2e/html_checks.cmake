# --format html without a browser: the page is written, one section per
# trace, with the figures of tests/data/README.md (the JSON goldens' values).
fa32_e2e(html/replay-page ARGS replay basic.json ${tiny} --format html LINES html.replay.lines)
fa32_e2e(html/stats-page-to-file ARGS stats basic.json clean.json --allow-leaks --format html
         --output ${CMAKE_CURRENT_BINARY_DIR}/stats.html OUTPUT stats.html LINES html.stats.lines)
fa32_e2e(html/bad-format ARGS replay basic.json --format htm EXIT 2 STDERR "htm")
