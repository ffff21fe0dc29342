# hostile: grabs memory until something gives.
hoard = []
while True:
    hoard.append(bytearray(100 * 1024 * 1024))
