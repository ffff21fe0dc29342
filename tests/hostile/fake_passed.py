# hostile: prints what a passing pytest run prints, then leaves before any test runs.
import os

print("============================= 42 passed in 0.01s ==============================")
os._exit(0)
