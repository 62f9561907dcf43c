-- Ends the process from inside the script, before the host can print its
-- figures: the runner must count the run as failed, not as measured.
os.exit(0)
