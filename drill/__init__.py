"""drill: learn to write micrograd from memory, chunk by chunk, then against the clock."""
