"""Runs one Jupyter kernel for the local sandbox agent and relays it as JSON lines.

Started as: /usr/bin/python3 jupyter_bridge.py <kernelspec dir> <cwd> <language> [<socket dir>]
stdin  (one JSON object a line): {"op": "execute", "code": str, "env": {str: str}}
                                 {"op": "interrupt"}  {"op": "shutdown"}
stdout (one JSON object a line): {"ev": "ready"}, {"ev": "stdout"|"stderr", "text": str},
    {"ev": "result", "data": {mime: value}, "main": bool, "count": int},
    {"ev": "error", "name": str, "value": str, "traceback": str}, {"ev": "done", "count": int},
    {"ev": "died", "message": str}
The kernel is talked to through jupyter_client (ZeroMQ, HMAC-signed messages); the kernelspec's
argv and interrupt_mode are honoured by its KernelManager.
"""
import json
import os
import queue
import re
import shutil
import sys
import threading

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager

from child_signals import ending, restore_defaults

SPEC_DIR, CWD, LANGUAGE = sys.argv[1], sys.argv[2], sys.argv[3].lower()
IS_PYTHON = LANGUAGE == "python"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
out_lock = threading.Lock()


def emit(event):
    line = json.dumps(event)
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class OneSpec(KernelSpecManager):
    """The agent chose the kernelspec by language; serve exactly that one."""

    def get_kernel_spec(self, kernel_name):
        return KernelSpec.from_resource_dir(SPEC_DIR)


env = dict(os.environ)
env.pop("PYTHONPATH", None)
env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

# Sockets of a Python kernel live in a private folder the agent made for it (Unix sockets:
# ipykernel speaks ZeroMQ's ipc transport). Over TCP, jupyter_client picks five free ports by
# binding and releasing them; kernels started at the same moment can pick the same port, and one
# of them then dies binding it (seen about once in 150 simultaneous starts). Other kernels, and a
# Python kernel given no folder (a temp path too long for a socket), keep TCP (IRkernel writes ipc
# addresses its own way) and are started again when they die before they are ready.
SOCKET_DIR = sys.argv[4] if IS_PYTHON and len(sys.argv) > 4 and sys.argv[4] else None
START_ATTEMPTS = 3


def new_manager():
    if SOCKET_DIR is None:
        return KernelManager(kernel_name="chosen", kernel_spec_manager=OneSpec())
    return KernelManager(kernel_name="chosen", kernel_spec_manager=OneSpec(), transport="ipc",
                         ip=os.path.join(SOCKET_DIR, "k"), connection_file=os.path.join(SOCKET_DIR, "kernel.json"))


class KernelDidNotStart(Exception):
    pass


def start():
    """Starts the kernel and waits until it answers: its manager and client."""
    for attempt in range(START_ATTEMPTS):
        manager = new_manager()
        manager.start_kernel(cwd=CWD, env=env, preexec_fn=restore_defaults)  # passed on to Popen
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            return manager, client
        except RuntimeError as e:
            died = not manager.is_alive()
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            if not died or attempt == START_ATTEMPTS - 1:
                raise KernelDidNotStart("the kernel did not start: %s" % e)


def remove_socket_dir():
    # The agent removes the folder too once this process is gone; this covers an agent that was
    # killed, whose bridges see their stdin end and stop on their own.
    if SOCKET_DIR:
        shutil.rmtree(SOCKET_DIR, ignore_errors=True)


try:
    km, kc = start()
except KernelDidNotStart as e:
    emit({"ev": "died", "message": str(e)})
    remove_socket_dir()
    sys.exit(1)

if IS_PYTHON:
    # Charts and a DataFrame's data are extracted inside the kernel, next to the object, by display formatters.
    for formatter in ("display_formatter.py", "chart_formatter.py", "data_formatter.py"):
        setup = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), formatter)).read()
        kc.execute(setup, silent=True, store_history=False, reply=True, timeout=60)

requests = queue.Queue()


def read_stdin():
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "interrupt":
            try:
                km.interrupt_kernel()
            except Exception:
                pass
        else:
            requests.put(request)
    requests.put({"op": "shutdown"})


def env_code(env_vars):
    """Code in the kernel's language that sets env_vars for one execution, and code that puts
    things back; (None, None) for a language it is not written for."""
    if IS_PYTHON:
        return python_env_code(env_vars)
    if LANGUAGE == "r":
        return r_env_code(env_vars)
    return None, None


def r_env_code(env_vars):
    # JSON string literals are R string literals too (\", \\, \n, \uXXXX); names go through
    # setNames, so any name works.
    def vector(items):
        return "c(%s)" % ", ".join(json.dumps(item, ensure_ascii=False) for item in items)
    keys = sorted(env_vars)
    before = (".sbx_saved <- Sys.getenv(%s, unset = NA, names = TRUE)\n"
              "do.call(Sys.setenv, as.list(setNames(%s, %s)))\n" % (vector(keys), vector(env_vars[k] for k in keys), vector(keys)))
    after = ("for (.sbx_k in names(.sbx_saved)) if (is.na(.sbx_saved[[.sbx_k]])) Sys.unsetenv(.sbx_k) "
             "else do.call(Sys.setenv, as.list(setNames(.sbx_saved[[.sbx_k]], .sbx_k)))\n"
             "rm(.sbx_saved, .sbx_k)\n")
    return before, after


def python_env_code(env_vars):
    """Python code that sets env_vars for one execution, and code that puts things back."""
    keys = json.dumps(sorted(env_vars))
    before = ("import os as _sbx_os\n_sbx_saved = {k: _sbx_os.environ.get(k) for k in %s}\n"
              "_sbx_os.environ.update(%s)\n" % (keys, json.dumps(env_vars)))
    after = ("for _sbx_k, _sbx_v in _sbx_saved.items():\n"
             "    if _sbx_v is None: _sbx_os.environ.pop(_sbx_k, None)\n"
             "    else: _sbx_os.environ[_sbx_k] = _sbx_v\n"
             "del _sbx_k, _sbx_v, _sbx_saved, _sbx_os\n")
    return before, after


def kernel_returncode():
    """The ended kernel's return code, None where the manager does not say."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return process.poll() if process is not None else None


def quiet(code):
    kc.execute(code, silent=True, store_history=False, stop_on_error=False, reply=True, timeout=60)


def execute(request):
    env_vars = request.get("env") or {}
    restore = None
    if env_vars:
        before, restore = env_code(env_vars)
        if before:
            quiet(before)
    # stop_on_error=False: the bridge sends one request at a time, so the kernel never holds
    # queued code that an error should cancel; with it on, IPython drops a request that
    # reaches it before it has reset its abort flag, and code sent right after an error
    # would now and then not run at all.
    msg_id = kc.execute(request["code"], store_history=True, allow_stdin=False, stop_on_error=False)
    count = 0
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            if not km.is_alive():
                emit({"ev": "died", "message": ending("the kernel", kernel_returncode())})
                return False
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            emit({"ev": "stdout" if content["name"] == "stdout" else "stderr", "text": content["text"]})
        elif kind == "execute_input":
            count = content.get("execution_count") or 0
        elif kind in ("execute_result", "display_data"):
            emit({"ev": "result", "data": content.get("data", {}), "main": kind == "execute_result",
                  "count": content.get("execution_count") or count})
        elif kind == "error":
            emit({"ev": "error", "name": content.get("ename", ""), "value": ANSI.sub("", content.get("evalue", "")),
                  "traceback": ANSI.sub("", "\n".join(content.get("traceback", [])))})
        elif kind == "status" and content.get("execution_state") == "idle":
            break
    if restore:
        quiet(restore)
    emit({"ev": "done", "count": count})
    return True


threading.Thread(target=read_stdin, daemon=True).start()
emit({"ev": "ready"})
try:
    while True:
        request = requests.get()
        if request["op"] != "execute" or not execute(request):
            break
finally:
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
        remove_socket_dir()
