# hostile: floods its output without end.
while True:
    print("x" * 10000)
