-- Prints lines that look like the host's own figures before it returns
-- its checksum: the runner must read the host's lines, not these.
print("checksum: not-the-checksum")
print("cpu_seconds: 99.0")
print("peak_rss_growth_bytes: 1")
return "real-checksum"
