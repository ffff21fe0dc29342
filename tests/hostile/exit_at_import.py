# hostile: leaves with sys.exit(0) while loading, hoping a clean exit reads as success.
import sys

sys.exit(0)
