// The composition root; commands arrive with the daemon.
print("rootwatchd")
