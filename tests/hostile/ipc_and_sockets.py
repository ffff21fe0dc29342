# hostile: reaches outside its run through what Landlock does not cover here: a UDP datagram and a
# named Unix socket to listeners the tests set up (127.0.0.1:47931 and /tmp/drill-listener.sock),
# a SysV shared memory segment of 1 GiB and a message queue left behind, another program's segment
# (key 0x0d711) read and written, and 4 GiB of memfd. It acts only where it sees it is sandboxed
# (Landlock hides "/"), so that a test can never leave real IPC objects behind.
import ctypes
import os
import socket

try:
    os.listdir("/")
    sandboxed = False
except PermissionError:
    sandboxed = True
refused = []
if sandboxed:
    libc = ctypes.CDLL(None, use_errno=True)
    for name, attempt in (
            ("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
                b"drill-marker", ("127.0.0.1", 47931))),
            ("unix", lambda: socket.socket(socket.AF_UNIX).connect("/tmp/drill-listener.sock")),
            ("memfd", lambda: [os.ftruncate(os.memfd_create("hoard"), 1 << 30) for _ in range(4)]),
    ):
        try:
            attempt()
        except OSError as exc:
            refused.append(f"{name}: {exc.strerror}")
    for name, call in (("shm", lambda: libc.shmget(0, 1 << 30, 0o1600)),
                       ("msg", lambda: libc.msgget(0, 0o1600)),
                       ("theirs", lambda: libc.shmget(0x0D711, 0, 0o600))):
        if call() == -1:
            refused.append(f"{name}: {os.strerror(ctypes.get_errno())}")
raise RuntimeError("; ".join(refused) or "nothing refused")
