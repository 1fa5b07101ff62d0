"""One long-lived bash for the local sandbox agent, speaking the JSON lines of jupyter_bridge.py.

Each execution's code is written to a file and sourced by the same bash, so variables, the working
directory and functions persist. The end of an execution is a unique marker carrying the exit
status, printed on stdout and stderr after the code; output before it is relayed as it arrives.
env_vars are exported for the one execution and put back afterwards. An interrupt sends SIGINT to
the children of bash (the running command); bash itself traps it and goes on to the marker.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import uuid

from child_signals import ending, restore_defaults

CWD = sys.argv[1]
MARK = "__sbx_end_%s_" % uuid.uuid4().hex
scratch = tempfile.mkdtemp(prefix="sbx-bash-")
out_lock = threading.Lock()


def emit(event):
    with out_lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


bash = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=CWD, stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                        preexec_fn=restore_defaults)
bash.stdin.write(b"trap ':' INT\n")
bash.stdin.flush()


def pump(stream, name, ended):
    """Relay one of bash's streams up to each marker; the marker on stdout carries the status."""
    held = b""
    mark = MARK.encode()
    while True:
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            if held:
                emit({"ev": name, "text": held.decode("utf-8", "replace")})
            ended.put(None)
            return
        held += chunk
        while True:
            at = held.find(mark)
            if at < 0:
                break
            newline = held.find(b"\n", at)
            if newline < 0:
                break
            if at:
                emit({"ev": name, "text": held[:at].decode("utf-8", "replace")})
            status = held[at + len(mark):newline].decode()
            held = held[newline + 1:]
            ended.put(int(status or 0))
        # Keep back what could be the start of a marker, and an incomplete UTF-8 sequence.
        keep = len(mark) - 1
        cut = max(0, len(held) - keep)
        while 0 < cut < len(held) and (held[cut] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
            cut -= 1
        if cut:
            emit({"ev": name, "text": held[:cut].decode("utf-8", "replace")})
            held = held[cut:]


out_ended, err_ended = queue.Queue(), queue.Queue()
threading.Thread(target=pump, args=(bash.stdout, "stdout", out_ended), daemon=True).start()
threading.Thread(target=pump, args=(bash.stderr, "stderr", err_ended), daemon=True).start()


def quote(value):
    return "'" + value.replace("'", "'\\''") + "'"


def execute(request, count):
    path = os.path.join(scratch, "cell.sh")
    with open(path, "w") as f:
        f.write(request["code"] + "\n")
    env = request.get("env") or {}
    lines = []
    for i, (k, v) in enumerate(sorted(env.items())):
        lines.append('__sbx_saved_%d="$(declare -p %s 2>/dev/null)"; export %s=%s' % (i, k, k, quote(v)))
    lines.append("source %s" % quote(path))
    lines.append("__sbx_status=$?")
    for i, (k, _) in enumerate(sorted(env.items())):
        lines.append('unset %s; eval "$__sbx_saved_%d"; unset __sbx_saved_%d' % (k, i, i))
    lines.append("printf '%s%%d\\n' \"$__sbx_status\"; printf '%s\\n' >&2" % (MARK, MARK))
    bash.stdin.write(("\n".join(lines) + "\n").encode())
    bash.stdin.flush()
    status = out_ended.get()
    err_ended.get()
    if status is None:
        try:
            returncode = bash.wait(timeout=5)
        except subprocess.TimeoutExpired:
            returncode = None
        emit({"ev": "died", "message": ending("bash", returncode)})
        return False
    if status != 0:
        emit({"ev": "error", "name": "ExitStatus", "value": "exit status %d" % status, "traceback": ""})
    emit({"ev": "done", "count": count})
    return True


def interrupt():
    children = subprocess.run(["pgrep", "-P", str(bash.pid)], capture_output=True, text=True).stdout.split()
    for pid in children:
        try:
            os.kill(int(pid), signal.SIGINT)
        except OSError:
            pass
    try:
        os.kill(bash.pid, signal.SIGINT)
    except OSError:
        pass


requests = queue.Queue()


def read_stdin():
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "interrupt":
            interrupt()
        else:
            requests.put(request)
    requests.put({"op": "shutdown"})


threading.Thread(target=read_stdin, daemon=True).start()
emit({"ev": "ready"})
count = 0
try:
    while True:
        request = requests.get()
        if request["op"] != "execute":
            break
        count += 1
        if not execute(request, count):
            break
finally:
    try:
        os.killpg(bash.pid, signal.SIGKILL)
    except OSError:
        pass
    bash.wait()
