# hostile: never finishes loading.
while True:
    pass
