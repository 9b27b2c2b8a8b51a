"""The audit log: `service.record()` adds an event in the transaction of the change it
records (every capability may call it; it knows none of them), and `log` reads the
events back in words, naming the people, units and entries they mention."""
